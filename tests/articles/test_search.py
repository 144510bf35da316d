"""Search: found, ranked, highlighted, and safe whatever is typed.

Every case here runs on the database the suite runs on: SQLite's FTS5 index by
default, PostgreSQL's full-text search when DATABASE_URL names one (CI runs
both). The reader's query language is the same on both (articles.search)."""

import os

import pytest
from django.db import connection

from articles.models import Article
from articles.search import ensure_sqlite_index, fts5_query, parse, search, tsquery
from tests.conftest import days_ago, days_ahead

pytestmark = pytest.mark.django_db
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
ON_SQLITE = connection.vendor == "sqlite"


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
        "other": make_article(
            headline="Orchestra returns",
            standfirst="A restored hall.",
            body="<p>Seats in row <strong>X</strong> are sold out for Mahler&#x27;s 5th.</p>",
        ),
        "draft": make_article(headline="Housing draft", status="draft"),
        "scheduled": make_article(headline="Housing embargo", published_at=days_ahead(1)),
    }


def found(query):
    return [a.headline for a in search(Article.objects.published(), query)]


HOUSING = ["Housing plan approved", "Marathon session", "Rail timetable"]

# (what a reader types, what they find, best first). Each runs on both databases.
SHARED_CASES = [
    # Headline counts more than standfirst, standfirst more than body.
    ("housing", HOUSING),
    ("HOUSING", HOUSING),
    ("housing commuters", ["Rail timetable"]),
    # Word forms: stemming.
    ("schemes", ["Marathon session"]),
    ("approve", ["Housing plan approved"]),
    # Phrases: the words next to each other, in order.
    ('"housing plan"', ["Housing plan approved"]),
    ('"plan housing"', []),
    ('"housing estates"', ["Rail timetable"]),
    # Either word.
    ("orchestra or commuters", ["Orchestra returns", "Rail timetable"]),
    ("orchestra OR commuters", ["Orchestra returns", "Rail timetable"]),
    ("housing vote or trains", ["Housing plan approved", "Rail timetable"]),
    # Exclusion.
    ("housing -commuters", ["Housing plan approved", "Marathon session"]),
    ('housing -"scheme passed"', ["Housing plan approved", "Rail timetable"]),
    # Prefixes.
    ("orch*", ["Orchestra returns"]),
    ("hous*", HOUSING),
    # Single letters and numbers are words too; stop words are left out.
    ("x", ["Orchestra returns"]),
    ("5th", ["Orchestra returns"]),
    ("the housing", HOUSING),
    ("the", []),
    # Syntax of either engine is only a separator.
    ("housing:plan", ["Housing plan approved"]),
    ("^housing", HOUSING),
    ("NEAR(housing plan)", []),
    ("housing & | ! ( ) : *", HOUSING),
    ('housing "', HOUSING),
    ('"unbalanced quote housing', []),
    ("-", []),
    ("*", []),
    ("-housing", []),  # nothing left to look for
    ("or", []),
    ("housing or", HOUSING),
]


class TestFinding:
    @pytest.mark.parametrize(("query", "expected"), SHARED_CASES)
    def test_query_finds_what_a_reader_expects(self, articles, query, expected):
        if "or" in query.lower().split():
            assert sorted(found(query)) == sorted(expected)
        else:
            assert found(query) == expected

    def test_unpublished_articles_are_never_found(self, articles):
        assert not {"Housing draft", "Housing embargo"} & set(found("housing"))
        assert not {"Housing draft", "Housing embargo"} & set(found("draft or embargo"))

    def test_an_edit_is_found_at_once(self, articles):
        article = articles["other"]
        article.headline = "Choir returns"
        article.save()
        assert found("choir") == ["Choir returns"] and not found("orchestra")

    def test_a_deleted_article_is_gone_from_the_index(self, articles):
        articles["other"].delete()
        assert found("orchestra") == []

    def test_markup_in_the_body_is_not_searchable(self, articles):
        assert found("strong") == [] and found("p") == []

    @pytest.mark.skipif(ON_SQLITE, reason="needs PostgreSQL")
    def test_postgres_search_can_use_its_gin_index(self, articles):
        # Without the published() filter only the GIN index can serve the match.
        queryset = search(Article.objects.all(), "housing")
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "article_search" in plan

    @pytest.mark.skipif(ON_SQLITE, reason="needs PostgreSQL")
    def test_postgres_has_no_sqlite_index(self, db):
        assert "article_fts" not in connection.introspection.table_names()
        assert ensure_sqlite_index() is False


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's FTS5 index")
class TestTheSqliteIndex:
    def test_bulk_updates_reach_the_index(self, articles):
        Article.objects.filter(pk=articles["other"].pk).update(headline="Choir returns")
        assert found("choir") == ["Choir returns"] and not found("orchestra")

    def test_deletes_by_queryset_reach_the_index(self, articles):
        Article.objects.filter(pk=articles["other"].pk).delete()
        assert found("orchestra") == []

    def test_lost_triggers_are_put_back_and_the_index_rebuilt(self, articles):
        """A migration that rebuilds the article table drops its triggers."""
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER article_fts_update")
        Article.objects.filter(pk=articles["other"].pk).update(headline="Choir returns")
        assert found("choir") == []  # the index missed the change
        assert ensure_sqlite_index() is True
        assert found("choir") == ["Choir returns"]
        assert ensure_sqlite_index() is False  # nothing missing now

    def test_the_index_drives_the_query_not_the_published_articles(self, articles):
        """Otherwise SQLite probes the index once per published article: seconds,
        not milliseconds, on a few thousand articles."""
        queryset = search(
            Article.objects.published().select_related("category"), "housing commuters"
        )
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [row[3] for row in cursor.fetchall()]
        assert plan[0].startswith("SCAN article_fts VIRTUAL TABLE")
        assert "SEARCH articles_article USING INTEGER PRIMARY KEY" in plan[1]

    def test_the_query_is_ranked_by_bm25_from_the_index(self, articles):
        sql = str(search(Article.objects.published(), "housing").query)
        assert "bm25(" in sql and "MATCH" in sql


class TestParsing:
    """What reaches either engine: quoted letters and digits, and its operators."""

    @pytest.mark.parametrize(
        ("query", "fts5", "ts"),
        [
            ("housing plan", '("housing") AND ("plan")', "(('housing')) & (('plan'))"),
            ('"housing plan"', '("housing plan")', "(('housing' <-> 'plan'))"),
            ("a or b x", '("b") AND ("x")', "(('b')) & (('x'))"),
            ("rail or tram", '("rail" OR "tram")', "(('rail') | ('tram'))"),
            ("rail -tram", '(("rail")) NOT ("tram")', "(('rail')) & !(('tram'))"),
            ("hous*", '("hous"*)', "(('hous':*))"),
            ('NEAR("a" b)', '("near") AND ("b")', "(('near')) & (('b'))"),
            ("covid-19", '("covid 19")', "(('covid' <-> '19'))"),
            ("it's", "", ""),
            ("''\"; DROP TABLE", '("drop table")', "(('drop' <-> 'table'))"),
        ],
    )
    def test_compiles_to_the_same_meaning_for_both_engines(self, query, fts5, ts):
        parsed = parse(query)
        assert fts5_query(parsed) == fts5 and tsquery(parsed) == ts

    def test_long_queries_keep_their_first_terms(self):
        assert len(parse(" ".join(f"word{n}" for n in range(50))).groups) == 8


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
        second = client.get("/search/", {"q": "election", "page": "2"}).content.decode()
        assert 'rel="prev" href="?q=election"' in second
        assert client.get("/search/", {"q": "election", "page": "abc"}).status_code == 404

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


class TestMarkedResults:
    def test_the_body_snippet_marks_the_match(self, client, articles):
        page = client.get("/search/", {"q": "estate"}).content.decode()
        assert '<p class="search-result__snippet">' in page
        assert "<mark>estates</mark>" in page and "Commuters from the new housing" in page

    def test_word_forms_are_marked(self, client, articles):
        page = client.get("/search/", {"q": "schemes"}).content.decode()
        assert "The housing <mark>scheme</mark> passed." in page

    def test_no_snippet_when_the_body_does_not_match(self, client, articles):
        page = client.get("/search/", {"q": "marathon"}).content.decode()
        assert "<mark>Marathon</mark> session" in page
        assert "search-result__snippet" not in page

    def test_text_from_articles_is_escaped_before_marking(self, client, make_article):
        make_article(
            headline="<b>Tax</b> rises",
            standfirst="Taxes & <i>duties</i>",
            body="<p>&lt;img src=x onerror=alert(1)&gt; tax</p>",
        )
        page = client.get("/search/", {"q": "tax"}).content.decode()
        assert "&lt;b&gt;<mark>Tax</mark>&lt;/b&gt; rises" in page
        assert "<mark>Taxes</mark> &amp; &lt;i&gt;duties&lt;/i&gt;" in page
        assert "onerror=alert(1)&gt; <mark>tax</mark>" in page
        assert "<img src=x" not in page and "<b>Tax" not in page


class TestTheSearchBox:
    def test_the_header_box_keeps_the_query(self, client, articles):
        page = client.get("/search/", {"q": 'housing "plan"'}).content.decode()
        assert (
            'id="search-q" name="q" placeholder="Search" maxlength="1000" value="housing &quot;plan&quot;"'
            in page
        )

    def test_the_results_page_has_one_search_box(self, client, articles):
        for query in ("housing", ""):
            page = client.get("/search/", {"q": query}).content.decode()
            assert page.count('role="search"') == 1 and page.count('name="q"') == 1

    def test_other_pages_have_an_empty_box(self, client, articles):
        assert 'name="q" placeholder="Search" maxlength="1000">' in client.get("/").content.decode()


class TestQueryBudget:
    def test_a_page_of_results_costs_the_same_queries_however_many_match(
        self, client, make_article, settings, django_assert_num_queries
    ):
        settings.NEWSROOM_ARTICLES_PER_PAGE = 5
        for n in range(12):
            make_article(headline=f"Budget story {n}", body=f"<p>The budget, part {n}.</p>")
        # Versions and next timed change (cache), navigation, the live banner,
        # count, the page of results.
        with django_assert_num_queries(5):
            page = client.get("/search/", {"q": "budget"}).content.decode()
        assert page.count("<mark>") >= 10 and "12 results" in page
