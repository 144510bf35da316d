"""Search: found, ranked, highlighted, and safe whatever is typed. Runs on both
databases: full-text search on PostgreSQL, word matching on SQLite."""

import os

import pytest
from django.db import connection

from articles.models import Article
from articles.search import highlight, search
from tests.conftest import days_ago, days_ahead

pytestmark = pytest.mark.django_db
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def articles(make_article):
    return {
        "headline": make_article(
            headline="Housing plan approved", standfirst="Council vote.", published_at=days_ago(3)
        ),
        "standfirst": make_article(
            headline="Marathon session",
            standfirst="The housing scheme passed.",
            published_at=days_ago(2),
        ),
        "body": make_article(
            headline="Rail timetable",
            standfirst="More trains.",
            body="<p>Commuters from the new housing estates will benefit.</p>",
            published_at=days_ago(1),
        ),
        "other": make_article(headline="Orchestra returns", standfirst="A restored hall."),
        "draft": make_article(headline="Housing draft", status="draft"),
        "scheduled": make_article(headline="Housing embargo", published_at=days_ahead(1)),
    }


def found(query):
    return [a.headline for a in search(Article.objects.published(), query)]


class TestFinding:
    def test_finds_in_headline_standfirst_and_body_best_first(self, articles):
        assert found("housing") == ["Housing plan approved", "Marathon session", "Rail timetable"]

    def test_every_word_counts(self, articles):
        assert found("housing commuters") == ["Rail timetable"]

    def test_unpublished_articles_are_never_found(self, articles):
        assert not {"Housing draft", "Housing embargo"} & set(found("housing"))

    @pytest.mark.skipif(not ON_POSTGRES, reason="stemming is PostgreSQL's")
    def test_postgres_matches_word_forms(self, articles):
        assert "Marathon session" in found("schemes")

    @pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
    def test_postgres_keeps_the_search_vector_up_to_date(self, articles):
        article = articles["other"]
        assert "Orchestra returns" in found("orchestra")
        article.headline = "Choir returns"
        article.save()
        assert "Choir returns" in found("choir") and not found("orchestra")

    @pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
    def test_postgres_search_can_use_its_gin_index(self, articles):
        # Without the published() filter only the GIN index can serve the match.
        queryset = search(Article.objects.all(), "housing")
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "article_search" in plan


class TestThePage:
    def test_results_are_listed_with_the_match_highlighted(self, client, articles):
        page = client.get("/search/", {"q": "housing"}).content.decode()
        assert "3 results for “housing”" in page
        assert "<mark>Housing</mark> plan approved" in page
        assert "The <mark>housing</mark> scheme passed." in page

    def test_an_empty_query_shows_a_helpful_page(self, client, articles):
        for query in ("", "   "):
            response = client.get("/search/", {"q": query})
            assert response.status_code == 200
            assert "Type a few words" in response.content.decode()

    def test_no_results_says_so(self, client, articles):
        page = client.get("/search/", {"q": "zebra"}).content.decode()
        assert "No articles match “zebra”" in page

    def test_results_are_paginated(self, client, make_article, settings):
        settings.NEWSROOM_ARTICLES_PER_PAGE = 2
        for n in range(5):
            make_article(headline=f"Election update {n}")
        first = client.get("/search/", {"q": "election"}).content.decode()
        assert "Page 1 of 3" in first and "q=election&amp;page=2" in first
        assert client.get("/search/", {"q": "election", "page": "abc"}).status_code == 200

    @pytest.mark.parametrize(
        "query",
        [
            "x" * 1000,
            '"unbalanced quote',
            "it's",
            "'; DROP TABLE articles_article; --",
            "1 OR 1=1",
            "housing & | ! ( ) : *",
            "ünïcödé 北京 🚆",
            "<script>alert(1)</script>",
            "%",
            "_",
            "\\",
        ],
    )
    def test_any_input_is_safe(self, client, articles, query):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
        assert Article.objects.count() == 6

    def test_the_query_is_escaped_in_the_page(self, client, articles):
        page = client.get("/search/", {"q": '"><img src=x onerror=alert(1)>'}).content.decode()
        assert "<img src=x" not in page

    def test_search_pages_are_not_indexed(self, client, db):
        assert (
            '<meta name="robots" content="noindex">' in client.get("/search/?q=a").content.decode()
        )

    def test_every_page_has_a_search_box(self, client, articles):
        page = client.get("/").content.decode()
        assert 'role="search"' in page and 'action="/search/"' in page


def test_highlight_escapes_before_marking():
    assert str(highlight("<b>Tax</b> rises & taxes", "tax")) == (
        "&lt;b&gt;<mark>Tax</mark>&lt;/b&gt; rises &amp; <mark>taxes</mark>"
    )
