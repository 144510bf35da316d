"""The publishing rules, on the queryset and on the instance."""

import pytest

from articles.models import Article
from tests.conftest import days_ago, days_ahead

pytestmark = pytest.mark.django_db


class TestPublishedRule:
    def test_published_article_in_the_past_is_visible(self, make_article):
        article = make_article(published_at=days_ago(1))
        assert list(Article.objects.published()) == [article]
        assert article.is_published()

    def test_draft_is_hidden_even_with_a_past_date(self, make_article):
        article = make_article(status=Article.Status.DRAFT, published_at=days_ago(1))
        assert not Article.objects.published().exists()
        assert not article.is_published()

    def test_scheduled_article_is_hidden_until_its_time(self, make_article):
        article = make_article(published_at=days_ahead(1))
        assert not Article.objects.published().exists()
        assert list(Article.objects.scheduled()) == [article]
        assert not article.is_published()

    def test_scheduled_article_appears_when_its_time_comes_with_nothing_run(
        self, make_article, monkeypatch
    ):
        article = make_article(published_at=days_ahead(1))
        later = days_ahead(2)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert list(Article.objects.published()) == [article]
        assert article.is_published()

    def test_newest_first(self, make_article):
        older = make_article(published_at=days_ago(3))
        newer = make_article(published_at=days_ago(1))
        assert list(Article.objects.published()) == [newer, older]

    def test_publishing_without_a_date_stamps_now(self, make_category):
        article = Article.objects.create(
            headline="Now", slug="now", category=make_category(), status="published"
        )
        assert article.published_at is not None
        assert article.is_published()

    def test_publish_keeps_a_chosen_schedule(self, make_article):
        when = days_ahead(3)
        article = make_article(status=Article.Status.DRAFT, published_at=when)
        article.publish()
        assert article.status == Article.Status.PUBLISHED
        assert article.published_at == when


class TestLatestPerCategory:
    def test_takes_the_newest_n_of_each_category_in_one_query(
        self, make_article, make_category, django_assert_num_queries
    ):
        sports, news = make_category(name="Sports"), make_category(name="News")
        sport = [make_article(category=sports, published_at=days_ago(d)) for d in range(1, 6)]
        local = [make_article(category=news, published_at=days_ago(d)) for d in range(1, 3)]
        with django_assert_num_queries(1):
            rows = list(Article.objects.published().latest_per_category(3))
        assert rows == sport[:3] + local

    def test_listing_details_come_in_the_same_query_and_credits_in_one_more(
        self, make_article, make_category, make_comment, django_assert_num_queries
    ):
        sports = make_category(name="Sports")
        newest = make_article(category=sports, published_at=days_ago(1))
        make_article(category=sports, published_at=days_ago(2))
        make_comment(article=newest)
        with django_assert_num_queries(2):
            rows = list(Article.objects.published().latest_per_category(1).for_listing())
            assert [
                (row, row.category.name, row.comment_count, row.byline_name) for row in rows
            ] == [(newest, "Sports", 1, "Ada Reporter")]


class TestBodySanitizing:
    @pytest.mark.parametrize(
        "dirty",
        [
            "<script>alert(1)</script>",
            '<p onclick="alert(1)">x</p>',
            '<a href="javascript:alert(1)">x</a>',
            "<style>body{display:none}</style>",
            '<img src="x" onerror="alert(1)">',
            '<iframe src="https://evil.example"></iframe>',
            '<p style="position:fixed">x</p>',
        ],
    )
    def test_nothing_dangerous_survives_a_save(self, make_article, dirty):
        article = make_article(body=f"<p>Kept.</p>{dirty}")
        article.refresh_from_db()
        lowered = article.body.lower()
        for fragment in (
            "<script",
            "onclick",
            "javascript:",
            "<style",
            "onerror",
            "<iframe",
            "style=",
        ):
            assert fragment not in lowered
        assert "<p>Kept.</p>" in article.body

    def test_allowed_formatting_is_kept(self, make_article):
        body = (
            '<h2>Heading</h2><p><strong>Bold</strong> <em>it</em> <a href="https://example.com">'
            "link</a></p><ul><li><p>one</p></li></ul><blockquote><p>quote</p></blockquote>"
        )
        article = make_article(body=body)
        article.refresh_from_db()
        for kept in (
            "<h2>",
            "<strong>",
            "<em>",
            'href="https://example.com"',
            "<li>",
            "<blockquote>",
        ):
            assert kept in article.body


class TestByline:
    def test_credited_authors_win_over_the_account(self, make_article, make_user):
        user = make_user(first_name="Jo", last_name="Account")
        assert make_article(byline="J. Printed", author=user).byline_name == "J. Printed"

    @pytest.mark.parametrize(
        "names, byline",
        [("Ana", "Ana"), ("Ana and Ben", "Ana and Ben"), ("Ana, Ben, Cy", "Ana, Ben and Cy")],
    )
    def test_reads_a_and_b_and_a_b_and_c(self, make_article, names, byline):
        assert make_article(byline=names).byline_name == byline

    def test_falls_back_to_the_authors_full_name(self, make_article, make_user):
        user = make_user(first_name="Jo", last_name="Account")
        assert make_article(byline="", author=user).byline_name == "Jo Account"


def test_urls_are_readable_slugs(make_article):
    article = make_article(slug="budget-day-explained")
    assert article.get_absolute_url() == "/articles/budget-day-explained/"
    assert article.category.get_absolute_url() == f"/category/{article.category.slug}/"


def test_saving_an_edit_keeps_the_views_and_comments_counted_meanwhile(make_article):
    """An editor's form holds the counts it loaded; readers move them on meanwhile."""
    article = make_article(view_count=10)
    in_the_editor = Article.objects.get(pk=article.pk)
    Article.objects.filter(pk=article.pk).update(view_count=25, comment_count=3)
    in_the_editor.headline = "Edited while it was read"
    in_the_editor.save()
    article.refresh_from_db()
    assert article.headline == "Edited while it was read"
    assert (article.view_count, article.comment_count) == (25, 3)
