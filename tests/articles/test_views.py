"""The reader's pages, as a reader and as an editor sees them."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.views import HOME_LATEST
from tests.conftest import READER_UA, days_ago, days_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_article(make_article, make_category):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    sports = make_category(name="Sports", slug="sports")
    article = make_article(
        headline="Atalanta Complete Stunning UCL Comeback",
        slug="atalanta-comeback",
        category=sports,
        published_at=datetime(2026, 2, 25, 20, 45, tzinfo=ZoneInfo("UTC")),
        sources=[("ESPN", "https://www.espn.com/"), ("UEFA.com", "https://www.uefa.com/"), "VAVEL"],
        body="<p>Atalanta produced one of the most remarkable comebacks.</p>",
    )
    Article.objects.filter(pk=article.pk).update(view_count=787)
    return article


class TestArticlePage:
    def test_shows_everything_on_the_reference_page(self, reader_client, reference_article):
        response = reader_client.get(reference_article.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        page = page[page.index("<main") :]
        order = [
            "Back to Home",
            ">Sports</a>",
            "<h1",
            "Atalanta Complete Stunning UCL Comeback",
            "Published on",
            "February 25, 2026",
            "788 views",
            "remarkable comebacks",
            "Sources:",
            "ESPN",
            "UEFA.com",
            "VAVEL",
            "Comments",
        ]
        positions = [page.index(text) for text in order]
        assert positions == sorted(positions)
        assert page.count("<h1") == 1

    def test_date_is_machine_readable_and_in_the_site_time_zone(
        self, reader_client, reference_article, settings
    ):
        settings.TIME_ZONE = "Asia/Tokyo"  # 20:45 UTC on the 25th is the 26th in Tokyo
        response = reader_client.get(reference_article.get_absolute_url())
        assert 'datetime="2026-02-26T05:45:00+09:00"' in response.content.decode()
        assert "Published on <time" in response.content.decode()
        assert "February 26, 2026" in response.content.decode()

    def test_sources_link_where_they_have_a_url(self, reader_client, reference_article):
        response = reader_client.get(reference_article.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert (
            '<a href="https://www.espn.com/" rel="noopener nofollow" class="sources__link"><cite>ESPN</cite></a>'
            in page
        )
        assert "<cite>VAVEL</cite>" in page
        assert 'href="https://www.uefa.com/"' in page

    def test_category_label_links_to_its_page(self, reader_client, reference_article):
        response = reader_client.get(reference_article.get_absolute_url())
        assert 'href="/category/sports/">Sports</a>' in response.content.decode()

    @pytest.mark.parametrize(("count", "shown"), [(0, "1 view"), (1233, "1,234 views")])
    def test_view_count_wording(self, reader_client, make_article, count, shown):
        article = make_article()
        Article.objects.filter(pk=article.pk).update(view_count=count)
        response = reader_client.get(article.get_absolute_url())
        assert shown in response.content.decode()

    def test_standfirst_and_byline_are_shown(self, reader_client, make_article):
        article = make_article(standfirst="What it means for you.", byline="Ada Reporter")
        page = reader_client.get(article.get_absolute_url()).content.decode()
        assert "What it means for you." in page
        assert 'By <a href="/authors/ada-reporter/">Ada Reporter</a>' in page

    def test_headline_is_escaped(self, reader_client, make_article):
        article = make_article(headline="<script>alert(1)</script> Tax rise")
        page = reader_client.get(article.get_absolute_url()).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Tax rise" in page

    def test_missing_article_is_404_with_the_site_page(self, reader_client, make_article):
        make_article()
        response = reader_client.get("/articles/no-such-story/")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()

    @pytest.mark.parametrize(
        "overrides",
        [{"status": Article.Status.DRAFT}, {"published_at": days_ahead(1)}],
        ids=["draft", "scheduled"],
    )
    def test_unpublished_article_is_404_for_readers(self, reader_client, make_article, overrides):
        article = make_article(**overrides)
        assert reader_client.get(article.get_absolute_url()).status_code == 404

    @pytest.mark.parametrize(
        "overrides",
        [{"status": Article.Status.DRAFT}, {"published_at": days_ahead(1)}],
        ids=["draft", "scheduled"],
    )
    def test_editor_previews_unpublished_article_with_a_banner_uncounted(
        self, client, editor, make_article, overrides
    ):
        article = make_article(**overrides)
        client.force_login(editor)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Preview: not published" in response.content.decode()
        assert "no-cache" in response["Cache-Control"]
        article.refresh_from_db()
        assert article.view_count == 0

    def test_published_article_has_no_preview_banner(self, client, editor, make_article):
        client.force_login(editor)
        response = client.get(make_article().get_absolute_url())
        assert "Preview: not published" not in response.content.decode()

    def test_logged_in_non_staff_reader_cannot_preview(self, client, make_user, make_article):
        client.force_login(make_user())
        article = make_article(status=Article.Status.DRAFT)
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_post_is_not_allowed(self, reader_client, make_article):
        assert reader_client.post(make_article().get_absolute_url()).status_code == 405

    def test_query_budget_does_not_grow_with_sources(
        self, client, make_article, django_assert_max_num_queries
    ):
        """Five queries for the page and the counting (article, sources, reader mark,
        total, hourly tally) once the shared fragments (navigation, most read,
        related) are cached, as they are after the first reader of a minute."""
        article = make_article(sources=[f"Source {n}" for n in range(30)])
        client.get(article.get_absolute_url(), HTTP_USER_AGENT=READER_UA + " first")
        with django_assert_max_num_queries(5):
            response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=READER_UA)
        assert response.status_code == 200
        assert "Source 29" in response.content.decode()
        article.refresh_from_db()
        assert article.view_count == 2

    def test_a_cold_page_stays_bounded_too(
        self, reader_client, make_article, django_assert_max_num_queries
    ):
        article = make_article(sources=[f"Source {n}" for n in range(30)])
        for _ in range(10):
            make_article(category=article.category)
        reader_client.get(make_article().get_absolute_url())  # today's salt, once per process
        from django.core.cache import cache

        cache.clear()
        # 18: the 13 of before, the article's correction notes and the live
        # banner, each kept in the shared cache under the site version
        # (caching.article_notes, context_processors.site_banner), its
        # credits and topics, fetched with the article, and the thread's
        # newest change, the cursor of live updates (comments.live).
        with django_assert_max_num_queries(18):
            assert reader_client.get(article.get_absolute_url()).status_code == 200


class TestHomePage:
    def test_lead_is_the_story_pinned_to_slot_one(self, client, make_article):
        make_article(headline="Plain newest", published_at=days_ago(1))
        make_article(headline="Pinned lead", pinned=True, published_at=days_ago(2))
        page = client.get("/").content.decode()
        assert page.index("Pinned lead") < page.index("Plain newest")
        assert 'aria-label="Lead story"' in page

    def test_only_the_lead_is_styled_as_the_lead(self, client, make_article):
        for _ in range(3):
            make_article()
        assert client.get("/").content.decode().count("card--lead") == 1

    def test_lead_falls_back_to_the_latest(self, client, make_article):
        make_article(headline="Older story", published_at=days_ago(2))
        make_article(headline="Newest story", published_at=days_ago(1))
        page = client.get("/").content.decode()
        lead = page.index('aria-label="Lead story"')
        assert lead < page.index("Newest story") < page.index("Older story")

    def test_cards_show_category_headline_standfirst_date_and_views(self, client, make_article):
        article = make_article(headline="Card headline", standfirst="Card standfirst")
        Article.objects.filter(pk=article.pk).update(view_count=1500)
        page = client.get("/").content.decode()
        for text in ("Card headline", "Card standfirst", article.category.name, "1,500 views"):
            assert text in page
        assert f'datetime="{article.published_at.isoformat()[:19]}' in page

    def test_a_section_per_category(self, client, make_article, make_category):
        for name in ("Politics", "Science"):
            make_article(category=make_category(name=name), headline=f"{name} story")
        for _ in range(HOME_LATEST + 1):  # newer stories fill the lead and Latest
            make_article(published_at=days_ago(0.5))
        page = client.get("/").content.decode()
        assert 'id="section-' in page
        assert "Politics story" in page and "Science story" in page

    def test_unpublished_articles_are_not_listed(self, client, make_article):
        make_article(headline="Visible one")
        make_article(headline="Secret draft", status=Article.Status.DRAFT)
        make_article(headline="Future scoop", published_at=days_ahead(1))
        page = client.get("/").content.decode()
        assert "Visible one" in page
        assert "Secret draft" not in page and "Future scoop" not in page

    def test_empty_site_says_so(self, client, db):
        assert "Nothing has been published yet" in client.get("/").content.decode()

    def test_query_budget_does_not_grow_with_articles_or_categories(
        self, client, make_article, make_category, django_assert_num_queries
    ):
        for _ in range(8):
            category = make_category()
            for _ in range(6):
                make_article(category=category)
        # 9: the lead and latest, and the sections, each with their credits
        # (the pins are in the lead's query), and the live banner.
        with django_assert_num_queries(9):
            response = client.get("/")
        assert response.status_code == 200


class TestCategoryPage:
    def test_lists_its_published_articles_newest_first(self, client, make_article, make_category):
        category = make_category(name="Sports", description="Results and analysis.")
        make_article(category=category, headline="Older match", published_at=days_ago(2))
        make_article(category=category, headline="Newer match", published_at=days_ago(1))
        make_article(category=category, headline="Hidden draft", status=Article.Status.DRAFT)
        make_article(headline="Other section")
        page = client.get(category.get_absolute_url()).content.decode()
        assert "Results and analysis." in page
        assert page.index("Newer match") < page.index("Older match")
        assert "Hidden draft" not in page and "Other section" not in page

    def test_is_paginated(self, client, make_article, make_category, settings):
        settings.NEWSROOM_ARTICLES_PER_PAGE = 2
        category = make_category()
        for day in range(1, 6):
            make_article(
                category=category, headline=f"Story {day} days old", published_at=days_ago(day)
            )
        first = client.get(category.get_absolute_url()).content.decode()
        assert "Story 1 days old" in first and "Story 3 days old" not in first
        assert "Page 1 of 3" in first and 'rel="next" href="?page=2"' in first
        third = client.get(category.get_absolute_url() + "?page=3").content.decode()
        assert "Story 5 days old" in third

    @pytest.mark.parametrize("page", ["abc", "99999", "-1", "0", "1" * 500, "%00"])
    def test_bad_page_numbers_are_not_found_not_an_error(self, client, make_article, page):
        article = make_article()
        response = client.get(f"{article.category.get_absolute_url()}?page={page}")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()

    def test_missing_category_is_404(self, client, db):
        assert client.get("/category/nowhere/").status_code == 404

    def test_query_budget_does_not_grow_with_articles(
        self, client, make_article, make_category, django_assert_num_queries
    ):
        category = make_category()
        for _ in range(30):
            make_article(category=category)
        for _ in range(5):
            make_category()
        # 8: the 6 of before (credits included), the pinned stories and the banner.
        with django_assert_num_queries(8):
            response = client.get(category.get_absolute_url())
        assert response.status_code == 200


class TestBadInput:
    def test_very_long_query_string_is_harmless(self, client, make_article):
        article = make_article()
        for url in ("/", article.get_absolute_url(), article.category.get_absolute_url()):
            assert client.get(url + "?" + "x=" + "y" * 8000).status_code == 200

    @pytest.mark.parametrize(
        "url", ["/articles/", "/articles/%E2%98%83/", "/category/../admin/", "/articles/a/b/"]
    )
    def test_odd_urls_are_404(self, client, db, url):
        assert client.get(url).status_code == 404

    def test_an_unexpected_error_shows_the_friendly_500_page(self, client, db, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("database on fire")

        monkeypatch.setattr("articles.views.render", broken)
        client.raise_request_exception = False
        response = client.get("/")
        assert response.status_code == 500
        page = response.content.decode()
        assert "Something went wrong" in page
        assert "database on fire" not in page and "Traceback" not in page


def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health-live"))
    assert response.status_code == 200
