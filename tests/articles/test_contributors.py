"""Contributors: bylines of several people, guests without accounts, author
pages with their feeds, and what search engines are told about each person."""

import json
import re

import feedparser
import pytest
from django.core.cache import cache

from articles.bylines import join_names, split_names
from articles.models import Article, ArticleContributor, Contributor
from tests.conftest import days_ago, days_ahead

pytestmark = pytest.mark.django_db


def json_ld(page):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]


@pytest.fixture
def ana(db):
    return Contributor.objects.create(
        name="Ana Ruiz",
        slug="ana-ruiz",
        job_title="Football correspondent",
        bio="Ana covers European football.",
        same_as="https://example.com/@ana\nhttps://example.org/ana",
    )


class TestBylines:
    @pytest.mark.parametrize(
        "printed, names",
        [
            ("Ana Ruiz", ["Ana Ruiz"]),
            ("Ana Ruiz and Ben Ode", ["Ana Ruiz", "Ben Ode"]),
            ("By Ana Ruiz, Ben Ode & Cy Lam", ["Ana Ruiz", "Ben Ode", "Cy Lam"]),
            ("Ana Ruiz (photos); Ana Ruiz", ["Ana Ruiz"]),
            ("", []),
        ],
    )
    def test_an_old_text_byline_reads_as_names_in_order(self, printed, names):
        assert split_names(printed) == names

    def test_names_join_as_a_and_b_and_a_b_and_c(self):
        assert [join_names(["A"]), join_names(["A", "B"]), join_names(["A", "B", "C"])] == [
            "A",
            "A and B",
            "A, B and C",
        ]

    def test_article_page_links_each_author_in_order(self, client, make_article):
        article = make_article(byline="Ana Ruiz and Ben Ode")
        page = client.get(article.get_absolute_url()).content.decode()
        assert (
            'By <a href="/authors/ana-ruiz/">Ana Ruiz</a> and '
            '<a href="/authors/ben-ode/">Ben Ode</a>' in page
        )

    def test_other_roles_are_credited_under_the_byline(self, client, make_article):
        article = make_article(byline="Ana Ruiz")
        photographer = Contributor.objects.create(name="Luca Ferri", slug="luca-ferri")
        ArticleContributor.objects.create(
            article=article, contributor=photographer, role=ArticleContributor.Role.PHOTOS
        )
        page = client.get(article.get_absolute_url()).content.decode()
        assert 'Photos by <a href="/authors/luca-ferri/">Luca Ferri</a>.' in page
        assert "By <a" in page and "Luca Ferri</a> and" not in page

    def test_cards_show_the_byline(self, client, make_article):
        make_article(headline="Match report", byline="Ana Ruiz, Ben Ode and Cy Lam")
        page = client.get("/").content.decode()
        assert "Cy Lam</a>" in page and "Ben Ode</a> and <a" in page

    def test_a_guest_contributor_needs_no_account(self, client, make_article):
        article = make_article(byline="Guest Writer")
        assert Contributor.objects.get(slug="guest-writer").user is None
        assert client.get(article.get_absolute_url()).status_code == 200


class TestAuthorPage:
    def test_shows_the_person_and_only_their_published_stories(self, client, ana, make_article):
        make_article(headline="Ana's match report", byline="Ana Ruiz")
        make_article(headline="Ana's draft", byline="Ana Ruiz", status=Article.Status.DRAFT)
        make_article(
            headline="Ana's embargoed piece", byline="Ana Ruiz", published_at=days_ahead(1)
        )
        make_article(headline="Someone else's story", byline="Ben Ode")
        page = client.get("/authors/ana-ruiz/").content.decode()
        assert "<h1>Ana Ruiz</h1>" in page
        assert "Football correspondent" in page and "Ana covers European football." in page
        assert 'href="https://example.com/@ana"' in page
        assert "Ana&#x27;s match report" in page
        assert "draft" not in page and "embargoed" not in page and "Someone else" not in page

    def test_a_story_with_two_roles_is_listed_once(self, client, ana, make_article):
        article = make_article(headline="Both roles", byline="Ana Ruiz")
        ArticleContributor.objects.create(
            article=article, contributor=ana, role=ArticleContributor.Role.PHOTOS
        )
        assert client.get("/authors/ana-ruiz/").content.decode().count("Both roles</a>") == 1

    def test_is_paginated_and_404_past_the_last_page(self, client, ana, make_article, settings):
        settings.NEWSROOM_ARTICLES_PER_PAGE = 2
        for day in range(1, 6):
            make_article(
                headline=f"Story {day} days old", byline="Ana Ruiz", published_at=days_ago(day)
            )
        first = client.get("/authors/ana-ruiz/").content.decode()
        assert "Story 1 days old" in first and "Page 1 of 3" in first
        assert "Story 5 days old" in client.get("/authors/ana-ruiz/?page=3").content.decode()
        assert client.get("/authors/ana-ruiz/?page=4").status_code == 404
        assert client.get("/authors/ana-ruiz/?page=x").status_code == 404

    def test_unknown_author_is_404(self, client, db):
        assert client.get("/authors/nobody/").status_code == 404

    def test_has_profile_page_json_ld_with_the_person(self, client, ana):
        (data,) = json_ld(client.get("/authors/ana-ruiz/").content.decode())
        assert data["@type"] == "ProfilePage"
        assert data["mainEntity"] == {
            "@type": "Person",
            "name": "Ana Ruiz",
            "url": "http://testserver/authors/ana-ruiz/",
            "jobTitle": "Football correspondent",
            "sameAs": ["https://example.com/@ana", "https://example.org/ana"],
            "description": "Ana covers European football.",
        }

    @pytest.mark.parametrize("stories", [1, 12])
    def test_costs_the_same_queries_however_many_stories(
        self, client, ana, make_article, django_assert_num_queries, stories
    ):
        for _ in range(stories):
            make_article(byline="Ana Ruiz and Ben Ode")
        client.get("/robots.txt")
        cache.clear()
        # The contributor, the count, the page of articles and their credits,
        # the navigation, the next timed change and the live banner.
        with django_assert_num_queries(7):
            assert client.get("/authors/ana-ruiz/").status_code == 200
        with django_assert_num_queries(0):
            assert client.get("/authors/ana-ruiz/").status_code == 200

    def test_a_changed_bio_shows_at_once(self, client, ana, django_capture_on_commit_callbacks):
        client.get("/authors/ana-ruiz/")
        ana.bio = "Ana now covers tennis."
        with django_capture_on_commit_callbacks(execute=True):
            ana.save()
        assert "Ana now covers tennis." in client.get("/authors/ana-ruiz/").content.decode()

    def test_links_must_be_web_addresses(self, ana):
        from django.core.exceptions import ValidationError

        ana.same_as = "https://example.com/ok\njavascript:alert(1)"
        with pytest.raises(ValidationError, match="is not a web address"):
            ana.full_clean()


class TestAuthorFeeds:
    @pytest.mark.parametrize("url", ["/authors/ana-ruiz/feed/", "/authors/ana-ruiz/feed/atom/"])
    def test_list_their_published_stories_with_every_author(self, client, ana, make_article, url):
        make_article(headline="Joint report", byline="Ana Ruiz and Ben Ode")
        make_article(headline="Ana's draft", byline="Ana Ruiz", status=Article.Status.DRAFT)
        make_article(headline="Ben alone", byline="Ben Ode")
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo
        assert [entry.title for entry in feed.entries] == ["Joint report"]
        assert feed.entries[0].author == "Ana Ruiz and Ben Ode"
        assert feed.feed.title.endswith("Ana Ruiz")

    def test_unknown_author_feed_is_404(self, client, db):
        assert client.get("/authors/nobody/feed/").status_code == 404


class TestArticleJsonLd:
    def test_author_is_each_person_with_url_and_same_as(self, client, ana, make_article):
        article = make_article(byline="Ana Ruiz and Ben Ode")
        (data,) = json_ld(client.get(article.get_absolute_url()).content.decode())
        assert data["author"] == [
            {
                "@type": "Person",
                "name": "Ana Ruiz",
                "url": "http://testserver/authors/ana-ruiz/",
                "jobTitle": "Football correspondent",
                "sameAs": ["https://example.com/@ana", "https://example.org/ana"],
            },
            {"@type": "Person", "name": "Ben Ode", "url": "http://testserver/authors/ben-ode/"},
        ]


class TestSitemap:
    def test_lists_author_pages_of_people_with_a_published_story(self, client, ana, make_article):
        make_article(byline="Ana Ruiz")
        make_article(byline="Draft Only", status=Article.Status.DRAFT)
        page = client.get("/sitemap-authors.xml").content.decode()
        assert "http://testserver/authors/ana-ruiz/" in page
        assert "draft-only" not in page


class TestDesk:
    def test_editor_credits_two_authors_in_order_from_the_article_form(
        self, client, make_editor, make_category, ana
    ):
        from tests.articles.test_admin import article_form

        ben = Contributor.objects.create(name="Ben Ode", slug="ben-ode")
        client.force_login(make_editor())
        response = client.post(
            "/admin/articles/article/add/",
            article_form(
                make_category(),
                **{
                    "credits-TOTAL_FORMS": "2",
                    "credits-0-order": "1",
                    "credits-0-contributor": ben.pk,
                    "credits-0-role": "author",
                    "credits-1-order": "0",
                    "credits-1-contributor": ana.pk,
                    "credits-1-role": "author",
                },
            ),
        )
        assert response.status_code == 302
        assert (
            Article.objects.get(slug="budget-day-explained").byline_name == "Ana Ruiz and Ben Ode"
        )

    def test_editor_adds_a_guest_contributor(self, client, make_editor):
        client.force_login(make_editor())
        response = client.post(
            "/admin/articles/contributor/add/",
            {"name": "Guest Writer", "slug": "guest-writer", "same_as": "", "user": ""},
        )
        assert response.status_code == 302
        assert Contributor.objects.get(slug="guest-writer").user is None


class TestArticlePageBudget:
    def test_a_cold_article_page_costs_the_same_whatever_its_credits_and_topics(
        self, reader_client, make_article
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from articles.models import Topic

        def cold_cost(people):
            article = make_article(byline=", ".join(f"Reporter {n}" for n in range(people)))
            article.topics.set(
                Topic.objects.get_or_create(name=f"Topic {n}", slug=f"topic-{n}")[0]
                for n in range(people)
            )
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                page = reader_client.get(article.get_absolute_url()).content.decode()
            assert f"Reporter {people - 1}</a>" in page and f"Topic {people - 1}</a>" in page
            return len(queries)

        reader_client.get(make_article().get_absolute_url())  # today's salt, once per process
        one = cold_cost(1)
        # 16 with SQLite and database counting (13 with PostgreSQL and Redis).
        assert one == cold_cost(5) <= 18
