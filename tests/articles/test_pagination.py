"""Pages of a list as search engines want them: each page its own canonical
address and title, and a page that does not exist is a 404."""

import pytest

from tests.conftest import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_stories(make_category, make_article, settings):
    """A category of five stories, two a page: pages 1 to 3."""
    settings.NEWSROOM_ARTICLES_PER_PAGE = 2
    category = make_category(name="Sport", slug="sport")
    for day in range(1, 6):
        make_article(
            category=category,
            headline=f"Election story {day} days old",
            published_at=days_ago(day),
        )
    return category


def head(page):
    return page[: page.index("</head>")]


LISTS = [
    ("/category/sport/", {}),
    ("/search/", {"q": "election"}),
]


@pytest.mark.parametrize(("path", "params"), LISTS)
class TestEveryPageOfAList:
    def test_page_one_is_canonical_at_the_bare_address(self, client, five_stories, path, params):
        query = "?q=election" if params else ""
        for extra in ({}, {"page": "1"}):
            page = head(client.get(path, {**params, **extra}).content.decode())
            assert f'<link rel="canonical" href="http://testserver{path}{query}">' in page
            assert "Page 1" not in page

    def test_page_two_is_its_own_canonical_with_its_number_in_the_title(
        self, client, five_stories, path, params
    ):
        query = "?q=election&amp;page=2" if params else "?page=2"
        page = head(client.get(path, {**params, "page": "2"}).content.decode())
        assert f'<link rel="canonical" href="http://testserver{path}{query}">' in page
        assert f'<meta property="og:url" content="http://testserver{path}{query}">' in page
        title = page[page.index("<title>") : page.index("</title>")]
        assert "· Page 2 ·" in title

    def test_the_last_page_exists(self, client, five_stories, path, params):
        response = client.get(path, {**params, "page": "3"})
        assert response.status_code == 200
        assert "story 5 days old" in response.content.decode()  # marked in search

    @pytest.mark.parametrize(
        "number", ["0", "4", "999", "abc", "1.5", "-1", "01", " 2", "²", "1" * 500, "\x00"]
    )
    def test_a_page_that_does_not_exist_is_a_404(self, client, five_stories, path, params, number):
        response = client.get(path, {**params, "page": number})
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_an_empty_category_has_its_first_page_only(client, make_category):
    category = make_category()
    assert client.get(category.get_absolute_url()).status_code == 200
    assert client.get(category.get_absolute_url() + "?page=2").status_code == 404


def test_the_link_back_to_page_one_is_the_bare_address(client, five_stories):
    page = client.get("/category/sport/?page=2").content.decode()
    assert 'rel="prev" href="/category/sport/"' in page
    assert 'rel="next" href="?page=3"' in page
