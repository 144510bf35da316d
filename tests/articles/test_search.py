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

    @pytest.mark.parametrize("query", ["housing\x00", "\x00", "plan\x00approved", "\x1b[31m"])
    def test_nul_bytes_and_control_characters_are_spaces(self, client, articles, query):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        if "housing" in query or "plan" in query:
            assert "Council vote." in response.content.decode()  # the housing plan found

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


@pytest.mark.django_db(transaction=True)
class TestCachedResults:
    """A page of results is a shared fragment: run once, then correct after every change."""

    def results(self, client, query="housing", **params):
        return client.get("/search/", {"q": query, **params}).content.decode()

    def test_a_repeated_search_runs_no_query(self, client, articles, django_assert_max_num_queries):
        first = self.results(client)
        with django_assert_max_num_queries(0):
            assert self.results(client) == first

    def test_queries_and_pages_are_cached_apart(self, client, articles, make_article, settings):
        settings.NEWSROOM_ARTICLES_PER_PAGE = 2
        assert "3 results for “housing”" in self.results(client)
        assert "<mark>Orchestra</mark> returns" in self.results(client, "orchestra")
        assert "Rail timetable" not in self.results(client, page=1)
        assert "Rail timetable" in self.results(client, page=2)
        # Queries that differ only in case are different queries.
        assert "“HOUSING”" in self.results(client, "HOUSING")

    def test_a_new_article_is_found_at_once(self, client, articles, make_article):
        assert "3 results" in self.results(client)
        make_article(headline="Housing minister resigns")
        page = self.results(client)
        assert "4 results" in page and "<mark>Housing</mark> minister resigns" in page

    def test_an_edit_shows_at_once(self, client, articles):
        self.results(client)
        article = articles["headline"]
        article.headline = "Housing plan thrown out"
        article.save()
        assert "<mark>Housing</mark> plan thrown out" in self.results(client)

    def test_an_unpublished_article_is_gone_at_once(self, client, articles):
        self.results(client)
        article = articles["headline"]
        article.status = Article.Status.DRAFT
        article.save()
        assert "plan approved" not in self.results(client)

    def test_a_scheduled_article_is_found_when_its_time_comes(self, client, articles, monkeypatch):
        assert "embargo" not in self.results(client)
        later = days_ahead(2)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)
        assert "<mark>Housing</mark> embargo" in self.results(client)

    def test_shared_caches_may_keep_results_briefly(self, client, articles):
        response = client.get("/search/", {"q": "housing"})
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=60"
        assert "Set-Cookie" not in response


def test_highlight_escapes_before_marking():
    assert str(highlight("<b>Tax</b> rises & taxes", "tax")) == (
        "&lt;b&gt;<mark>Tax</mark>&lt;/b&gt; rises &amp; <mark>taxes</mark>"
    )
