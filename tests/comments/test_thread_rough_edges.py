"""The comment thread's rough edges, checked on the server's answers."""

import html
import re

import pytest
from django.urls import reverse

from articles.models import Article

pytestmark = pytest.mark.django_db


class TestDraftPreview:
    def test_a_draft_preview_offers_no_comment_form_that_would_answer_404(
        self, client, make_editor, make_article
    ):
        article = make_article(status=Article.Status.DRAFT)
        client.force_login(make_editor())
        page = client.get(article.get_absolute_url()).content.decode()

        form_url = reverse("comments:form", args=[article.slug])
        assert client.get(form_url).status_code == 404  # what the form would have asked
        assert form_url not in page
        assert 'id="comment-form"' not in page
        assert "Readers can comment once the article is published." in page


HTMX = {"HTTP_HX_REQUEST": "true"}
MORE_LINK = re.compile(r'data-hx-get="([^"]*/comments/more/[^"]*)"')


def bodies(page):
    return re.findall(r"Numbered comment (\d+)", page)


def more_after(client, page):
    """What the page's "Load more" link answers with htmx."""
    return client.get(html.unescape(MORE_LINK.search(page).group(1)), **HTMX).content.decode()


class TestLoadMore:
    @pytest.fixture
    def numbered(self, make_article, make_comment, settings):
        """An article with comments "Numbered comment 0".."4", two to a page."""
        settings.NEWSROOM_COMMENTS_PER_PAGE = 2
        article = make_article()
        for n in range(5):
            make_comment(article=article, body=f"Numbered comment {n}")
        return article

    def test_a_comment_posted_in_between_does_not_show_a_comment_twice(
        self, reader_client, numbered, make_comment
    ):
        first = reader_client.get(numbered.get_absolute_url()).content.decode()
        make_comment(article=numbered, body="Numbered comment 5")  # someone posts meanwhile

        more = more_after(reader_client, first)
        assert bodies(first) == ["4", "3"]
        assert bodies(more) == ["2", "1"]

    def test_the_next_cursor_continues_in_the_oldest_order(self, reader_client, numbered):
        first = reader_client.get(numbered.get_absolute_url() + "?csort=oldest").content.decode()
        second = more_after(reader_client, first)
        third = more_after(reader_client, second)
        assert [bodies(first), bodies(second), bodies(third)] == [["0", "1"], ["2", "3"], ["4"]]
        assert MORE_LINK.search(third) is None

    @pytest.mark.parametrize("after", ["123", "1~2020-01-01T00:00:00+00:00:forged", "%00"])
    def test_a_forged_cursor_is_ignored_like_a_bad_page_number(
        self, reader_client, make_article, make_comment, settings, after
    ):
        settings.NEWSROOM_COMMENTS_PER_PAGE = 2
        article = make_article()
        for n in range(3):
            make_comment(article=article, body=f"Numbered comment {n}")
        url = reverse("comments:more", args=[article.slug]) + f"?page=2&after={after}"
        response = reader_client.get(url, **HTMX)
        assert response.status_code == 200
        assert bodies(response.content.decode()) == ["0"]

    def test_load_more_after_a_cursor_is_a_few_queries_cold_and_none_warm(
        self, reader_client, make_article, make_comment, django_assert_num_queries
    ):
        article = make_article()
        for _ in range(45):
            make_comment(parent=make_comment(article=article))
        first = reader_client.get(article.get_absolute_url()).content.decode()
        url = html.unescape(MORE_LINK.search(first).group(1))
        assert "after=" in url
        # The article is cached by the page that showed the link. Cold: the
        # top-level comments after the cursor and their replies. Warm: none.
        with django_assert_num_queries(2):
            assert reader_client.get(url, **HTMX).status_code == 200
        with django_assert_num_queries(0):
            assert reader_client.get(url, **HTMX).status_code == 200


class TestRepliesAtTheDepthLimit:
    def test_a_reply_placed_beside_its_parent_says_whom_it_answers_with_a_link(
        self, reader_client, make_article, make_comment, settings
    ):
        from tests.comments.helpers import comment_data

        settings.NEWSROOM_COMMENT_MAX_DEPTH = 2
        article = make_article()
        top = make_comment(article=article, author_name="Omar")
        deepest = make_comment(article=article, parent=top, author_name="Priya")
        response = reader_client.post(
            reverse("comments:thread", args=[article.slug]),
            comment_data(article, parent=deepest.pk, body="Answering Priya"),
        )
        assert response.status_code == 302
        reply = article.comments.get(body="Answering Priya")
        assert reply.parent_id == top.pk and reply.in_reply_to_id == deepest.pk

        page = reader_client.get(article.get_absolute_url()).content.decode()
        markup = page[page.index(f'id="comment-{reply.pk}"') :]
        in_reply_to = markup[: markup.index("</article>")]
        assert f'In reply to <a href="#comment-{deepest.pk}">Priya</a>' in in_reply_to

    def test_a_reply_at_its_own_level_names_no_one(self, reader_client, make_article, make_comment):
        article = make_article()
        top = make_comment(article=article, author_name="Omar")
        make_comment(article=article, parent=top, author_name="Priya")
        page = reader_client.get(article.get_absolute_url()).content.decode()
        assert "In reply to" not in page
