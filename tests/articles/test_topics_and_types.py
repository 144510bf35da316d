"""Topics across categories, and article types: the label readers see, the
type search engines are told, and what a sponsored story must say."""

import json
import re

import feedparser
import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, Topic
from tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def json_ld(page):
    (data,) = [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]
    return data


@pytest.fixture
def housing(db):
    return Topic.objects.create(name="Housing", slug="housing", description="Homes and rents.")


def tagged(article, *topics):
    article.topics.set(topics)
    return article


class TestTopicPage:
    def test_lists_published_stories_on_the_topic_from_every_category(
        self, client, housing, make_article
    ):
        tagged(make_article(headline="Council vote"), housing)
        tagged(make_article(headline="Rents analysis"), housing)
        tagged(make_article(headline="Draft on rents", status=Article.Status.DRAFT), housing)
        make_article(headline="Untagged story")
        page = client.get("/topics/housing/").content.decode()
        assert "<h1>Housing</h1>" in page and "Homes and rents." in page
        assert "Council vote" in page and "Rents analysis" in page
        assert "Draft on rents" not in page and "Untagged story" not in page

    def test_is_paginated_and_404_past_the_last_page(self, client, housing, make_article, settings):
        settings.NEWSROOM_ARTICLES_PER_PAGE = 2
        for day in range(1, 4):
            tagged(make_article(headline=f"Story {day}", published_at=days_ago(day)), housing)
        assert "Story 3" in client.get("/topics/housing/?page=2").content.decode()
        assert client.get("/topics/housing/?page=3").status_code == 404

    def test_unknown_topic_is_404(self, client, db):
        assert client.get("/topics/nothing/").status_code == 404

    @pytest.mark.parametrize("stories", [1, 10])
    def test_costs_the_same_queries_however_many_stories(
        self, client, housing, make_article, django_assert_num_queries, stories
    ):
        for _ in range(stories):
            tagged(make_article(), housing)
        client.get("/robots.txt")
        cache.clear()
        # The topic, the count, the page of articles and their credits, the
        # navigation, the next timed change and the live banner.
        with django_assert_num_queries(7):
            assert client.get("/topics/housing/").status_code == 200

    @pytest.mark.parametrize("url", ["/topics/housing/feed/", "/topics/housing/feed/atom/"])
    def test_feeds_list_the_topics_published_stories(self, client, housing, make_article, url):
        tagged(make_article(headline="Council vote"), housing)
        make_article(headline="Untagged story")
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo
        assert [entry.title for entry in feed.entries] == ["Council vote"]

    def test_topic_pages_with_a_published_story_are_in_the_sitemap(
        self, client, housing, make_article
    ):
        Topic.objects.create(name="Empty", slug="empty")
        tagged(make_article(), housing)
        page = client.get("/sitemap-topics.xml").content.decode()
        assert "http://testserver/topics/housing/" in page and "/topics/empty/" not in page


class TestTopicsOnTheArticlePage:
    def test_article_links_its_topics(self, client, housing, make_article):
        article = tagged(make_article(), housing)
        page = client.get(article.get_absolute_url()).content.decode()
        assert 'Topics: <a href="/topics/housing/">Housing</a>' in page

    def test_related_stories_share_topics_first_then_category(
        self, client, housing, make_article, make_category
    ):
        sports, news = make_category(), make_category()
        article = tagged(make_article(category=news), housing)
        make_article(category=news, headline="Same category, newest", published_at=days_ago(0.5))
        tagged(
            make_article(category=sports, headline="Shares a topic", published_at=days_ago(3)),
            housing,
        )
        make_article(category=sports, headline="Unrelated")
        related = list(Article.objects.published().related_to(article))
        assert [a.headline for a in related] == ["Shares a topic", "Same category, newest"]
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Related stories" in page
        assert page.index("Shares a topic") < page.index("Same category, newest")


class TestArticleTypes:
    @pytest.mark.parametrize(
        "kind, schema_type",
        [
            ("news", "NewsArticle"),
            ("opinion", "OpinionNewsArticle"),
            ("analysis", "AnalysisNewsArticle"),
            ("review", "ReviewNewsArticle"),
            ("sponsored", "AdvertiserContentArticle"),
        ],
    )
    def test_json_ld_type_matches_the_article_type(self, client, make_article, kind, schema_type):
        article = make_article(kind=kind, sponsor_name="Acme")
        data = json_ld(client.get(article.get_absolute_url()).content.decode())
        assert data["@type"] == schema_type

    def test_label_above_the_headline_and_on_cards(self, client, make_article):
        article = make_article(kind=Article.Kind.OPINION, headline="Build the defences first")
        page = client.get(article.get_absolute_url()).content.decode()
        assert page.index('kind-label--opinion">Opinion</span>') < page.index("<h1")
        home = client.get("/").content.decode()
        assert 'kind-label--opinion">Opinion</span>' in home

    def test_label_in_search_results_related_stories_and_most_read(
        self, client, make_article, make_category
    ):
        from articles.counting import hour_of
        from articles.models import ViewTally

        section = make_category(name="Comment")
        opinion = make_article(
            kind=Article.Kind.OPINION, headline="Build the defences first", category=section
        )
        ViewTally.objects.create(article=opinion, hour=hour_of(timezone.now()), views=9)
        label = 'kind-label--opinion">Opinion</span>'
        results = client.get("/search/", {"q": "defences"}).content.decode()
        assert label in results[results.index('class="search-results"') :]
        neighbour = make_article(headline="Flood plan", category=section)
        page = client.get(neighbour.get_absolute_url()).content.decode()
        related = page[page.index('class="related"') :]
        assert label in related[: related.index("</section>")]
        home = client.get("/").content.decode()
        most_read = home[home.index('class="most-read"') :]
        assert label in most_read

    def test_news_goes_unlabelled(self, client, make_article):
        article = make_article()
        assert "kind-label" not in client.get(article.get_absolute_url()).content.decode()

    def test_sponsored_story_says_who_paid_and_discloses_it(self, client, make_article):
        article = make_article(
            kind=Article.Kind.SPONSORED,
            sponsor_name="Acme Bank",
            sponsor_url="https://acme.example/",
            body='<p>Visit <a href="https://acme.example/offer">our offer</a>.</p>',
        )
        page = client.get(article.get_absolute_url()).content.decode()
        assert 'Sponsored by <a href="https://acme.example/" rel="sponsored">Acme Bank</a>' in page
        assert "paid for by the sponsor" in page
        body = page[page.index('class="article__body"') :]
        (link,) = re.findall(r'<a [^>]*href="https://acme.example/offer"[^>]*>', body)
        assert "sponsored" in re.search(r'rel="([^"]*)"', link).group(1).split()
        data = json_ld(page)
        assert data["sponsor"] == {
            "@type": "Organization",
            "name": "Acme Bank",
            "url": "https://acme.example/",
        }
        assert "Sponsored by Acme Bank" in client.get("/").content.decode()

    def test_a_link_with_its_own_rel_keeps_it_and_gets_one_rel(self):
        article = Article(
            kind=Article.Kind.SPONSORED,
            body='<p><a href="https://a.example/" rel="nofollow">a</a>'
            '<a rel="sponsored" href="https://b.example/">b</a></p>',
        )
        assert article.body_html == (
            '<p><a href="https://a.example/" rel="sponsored nofollow">a</a>'
            '<a rel="sponsored" href="https://b.example/">b</a></p>'
        )

    def test_links_in_other_stories_are_not_marked_sponsored(self, client, make_article):
        article = make_article(body='<p><a href="https://example.com/">A source</a></p>')
        assert "sponsored" not in client.get(article.get_absolute_url()).content.decode()

    def test_a_sponsored_story_needs_its_sponsor(self, make_article):
        article = make_article(kind=Article.Kind.SPONSORED)
        with pytest.raises(ValidationError, match="Name who paid"):
            article.full_clean()

    def test_sponsored_stories_stay_out_of_the_news_sitemap(self, client, make_article):
        make_article(headline="Fresh news", published_at=days_ago(0.1))
        make_article(
            headline="Paid feature",
            kind=Article.Kind.SPONSORED,
            sponsor_name="Acme",
            published_at=days_ago(0.1),
        )
        news = client.get("/sitemap-news.xml").content.decode()
        assert "Fresh news" in news and "Paid feature" not in news
        everything = client.get("/sitemap-articles.xml").content.decode()
        assert everything.count("<url>") == 2
