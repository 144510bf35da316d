"""Feeds, sitemaps, robots.txt and page metadata: what machines read."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from django.utils.http import http_date

from articles import caching
from articles.models import Article
from articles.sitemaps import ArticleSitemap
from tests.conftest import days_ago, days_ahead, now

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
NEWS_NS = {**SITEMAP_NS, "news": "http://www.google.com/schemas/sitemap-news/0.9"}


@pytest.fixture
def newsroom(make_article, make_category):
    sports = make_category(name="Sports", slug="sports", description="Results.")
    news = make_category(name="News", slug="news")
    return {
        "match": make_article(
            category=sports, headline="Match report", standfirst="A late winner.", byline="Ana"
        ),
        "council": make_article(category=news, headline="Council vote", published_at=days_ago(5)),
        "draft": make_article(category=sports, headline="Secret draft", status="draft"),
        "scheduled": make_article(
            category=sports, headline="Embargoed", published_at=days_ahead(1)
        ),
    }


def parse_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def link(article):
    return "http://testserver" + article.get_absolute_url()


def listed(response):
    """What a feed reader or crawler takes from a feed or sitemap page: each
    address with what it says about it (title, news title or last change)."""
    assert response.status_code == 200
    if b"<urlset" not in response.content:
        return {entry.link: entry.title for entry in feedparser.parse(response.content).entries}
    return {
        url.findtext("s:loc", namespaces=NEWS_NS): (
            url.findtext("news:news/news:title", namespaces=NEWS_NS)
            or url.findtext("s:lastmod", namespaces=NEWS_NS)
        )
        for url in ET.fromstring(response.content).findall("s:url", NEWS_NS)
    }


def index_locations(response):
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.findall("s:sitemap/s:loc", SITEMAP_NS)]


class TestFeeds:
    @pytest.mark.parametrize("url", ["/feeds/latest/", "/feeds/latest/atom/"])
    def test_latest_feed_lists_published_articles_only(self, client, newsroom, url):
        feed = parse_feed(client, url)
        assert [e.title for e in feed.entries] == ["Match report", "Council vote"]

    def test_rss_items_carry_everything_a_reader_needs(self, client, newsroom):
        entry = parse_feed(client, "/feeds/latest/").entries[0]
        assert entry.link == "http://testserver" + newsroom["match"].get_absolute_url()
        assert entry.summary == "A late winner."
        assert entry.author == "Ana"
        assert [t.term for t in entry.tags] == ["Sports"]
        assert entry.published_parsed is not None

    def test_atom_entries_have_updated_dates(self, client, newsroom):
        entry = parse_feed(client, "/feeds/latest/atom/").entries[0]
        assert entry.updated_parsed is not None and entry.published_parsed is not None

    @pytest.mark.parametrize("url", ["/category/sports/feed/", "/category/sports/feed/atom/"])
    def test_category_feed(self, client, newsroom, url):
        feed = parse_feed(client, url)
        assert [e.title for e in feed.entries] == ["Match report"]
        assert "Sports" in feed.feed.title

    def test_unknown_category_feed_is_404(self, client, db):
        assert client.get("/category/nowhere/feed/").status_code == 404

    @pytest.mark.parametrize("page", ["home", "category", "article"])
    def test_pages_announce_their_feeds(self, client, newsroom, page):
        url = {
            "home": "/",
            "category": "/category/sports/",
            "article": newsroom["match"].get_absolute_url(),
        }[page]
        html = client.get(url).content.decode()
        assert 'rel="alternate" type="application/rss+xml"' in html
        assert 'href="/feeds/latest/"' in html
        if page != "home":
            assert 'href="/category/sports/feed/"' in html


class TestSitemaps:
    def test_sitemap_index_lists_each_section(self, client, newsroom):
        response = client.get("/sitemap.xml")
        assert response.status_code == 200
        assert index_locations(response) == [
            "http://testserver/sitemap-home.xml",
            "http://testserver/sitemap-categories.xml",
            "http://testserver/sitemap-authors.xml",
            "http://testserver/sitemap-topics.xml",
            "http://testserver/sitemap-articles.xml",
            "http://testserver/sitemap-pages.xml",
        ]

    def test_sections_list_home_categories_and_published_articles_only(self, client, newsroom):
        assert list(listed(client.get("/sitemap-home.xml"))) == ["http://testserver/"]
        assert list(listed(client.get("/sitemap-categories.xml"))) == [
            "http://testserver/category/sports/",
            "http://testserver/category/news/",
        ]
        articles = listed(client.get("/sitemap-articles.xml"))
        assert list(articles) == [link(newsroom["match"]), link(newsroom["council"])]
        assert all(articles.values())  # each article says when it last changed

    def test_sitemap_index_lists_every_page_of_every_section(
        self, client, newsroom, make_article, monkeypatch
    ):
        monkeypatch.setattr(ArticleSitemap, "limit", 2)
        for _ in range(3):
            make_article()
        assert index_locations(client.get("/sitemap.xml")) == [
            "http://testserver/sitemap-home.xml",
            "http://testserver/sitemap-categories.xml",
            "http://testserver/sitemap-authors.xml",
            "http://testserver/sitemap-topics.xml",
            "http://testserver/sitemap-articles.xml",
            "http://testserver/sitemap-articles.xml?p=2",
            "http://testserver/sitemap-articles.xml?p=3",
            "http://testserver/sitemap-pages.xml",
        ]

    def test_every_published_article_is_in_exactly_one_section_page(
        self, client, newsroom, make_article, monkeypatch
    ):
        monkeypatch.setattr(ArticleSitemap, "limit", 3)
        same_moment = days_ago(2)  # ties in published_at must not make pages overlap
        published = [newsroom["match"], newsroom["council"]]
        published += [make_article(published_at=same_moment) for _ in range(7)]
        make_article(status="draft")
        make_article(published_at=days_ahead(0.01))

        pages = index_locations(client.get("/sitemap.xml"))
        assert len(pages) == 5 + 3  # home, categories, authors, topics, pages; 9 articles by 3
        listed_anywhere = [loc for page in pages for loc in listed(client.get(page))]
        articles = [loc for loc in listed_anywhere if "/articles/" in loc]
        assert sorted(articles) == sorted(link(article) for article in published)

    @pytest.mark.parametrize(
        "query", ["?p=0", "?p=-1", "?p=3", "?p=abc", "?p=1.5", "?p=", "?p=99999999999999999999"]
    )
    def test_a_page_past_the_end_or_not_a_number_is_404(self, client, newsroom, monkeypatch, query):
        monkeypatch.setattr(ArticleSitemap, "limit", 1)
        assert client.get("/sitemap-articles.xml?p=2").status_code == 200
        assert client.get("/sitemap-articles.xml" + query).status_code == 404

    @pytest.mark.parametrize(
        "url", ["/sitemap-nothing.xml", "/sitemap-news.xml?p=2", "/sitemap-home.xml?p=x"]
    )
    def test_unknown_sections_and_pages_are_404(self, client, newsroom, url):
        assert client.get(url).status_code == 404

    def test_news_sitemap_has_the_last_two_days(self, client, newsroom):
        response = client.get("/sitemap-news.xml")
        root = ET.fromstring(response.content)
        urls = root.findall("s:url", NEWS_NS)
        assert len(urls) == 1
        news = urls[0].find("news:news", NEWS_NS)
        assert news.find("news:title", NEWS_NS).text == "Match report"
        assert news.find("news:publication/news:name", NEWS_NS).text == "Newsroom"
        assert news.find("news:publication/news:language", NEWS_NS).text == "en"
        assert news.find("news:publication_date", NEWS_NS).text.startswith("20")

    def test_robots_names_the_sitemaps_and_keeps_crawlers_out_of_the_admin(self, client, db):
        response = client.get("/robots.txt")
        text = response.content.decode()
        assert response["Content-Type"].startswith("text/plain")
        assert "Disallow: /admin/" in text
        assert "Sitemap: http://testserver/sitemap.xml" in text
        assert "Sitemap: http://testserver/sitemap-news.xml" in text


FEEDS = [
    "/feeds/latest/",
    "/feeds/latest/atom/",
    "/category/sports/feed/",
    "/category/sports/feed/atom/",
]
ARTICLE_SITEMAPS = ["/sitemap-articles.xml", "/sitemap-news.xml"]
ALL_SITEMAPS = ["/sitemap.xml", "/sitemap-home.xml", "/sitemap-categories.xml", *ARTICLE_SITEMAPS]


def revalidate(client, url, before):
    """A client holding ``before`` revalidates with its ETag and is sent the new
    content; a client holding the new ETag is then told nothing changed."""
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304
    return after


class TestConditionalGet:
    """Feed readers and crawlers revalidate with If-None-Match and never miss a change."""

    @pytest.mark.parametrize(
        "url, queries",
        [
            ("/feeds/latest/", 1),
            ("/feeds/latest/atom/", 1),
            ("/category/sports/feed/", 1),
            ("/category/sports/feed/atom/", 1),
            ("/sitemap.xml", 5),  # a fingerprint of each section but home's
            ("/sitemap-home.xml", 0),
            ("/sitemap-categories.xml", 1),
            ("/sitemap-articles.xml", 1),
            ("/sitemap-news.xml", 1),
        ],
    )
    def test_unchanged_feed_or_sitemap_answers_304_without_rendering(
        self, client, newsroom, django_assert_num_queries, url, queries
    ):
        first = client.get(url)
        with django_assert_num_queries(queries):
            again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == first["ETag"]

    @pytest.mark.parametrize(
        "url, queries",
        [
            ("/feeds/latest/", 3),  # + the items' credits, for their authors
            ("/category/sports/feed/", 4),
            ("/sitemap.xml", 11),  # each section's fingerprint and count, the pages' newest date
            ("/sitemap-articles.xml", 3),
            ("/sitemap-news.xml", 3),
        ],
    )
    @pytest.mark.parametrize("more_articles", [0, 8])
    def test_a_full_response_costs_the_same_queries_however_many_articles(
        self, client, newsroom, make_article, django_assert_num_queries, url, queries, more_articles
    ):
        sports = newsroom["match"].category
        for _ in range(more_articles):
            make_article(category=sports)
        client.get("/robots.txt")
        caching.valid_until()  # the next go-live, looked up once per site version
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("public, max-age=0, s-maxage=")

    @pytest.mark.parametrize("url", FEEDS + ALL_SITEMAPS)
    def test_only_an_etag_is_sent_so_revalidating_by_date_gets_the_content(
        self, client, newsroom, url
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response.has_header("ETag")
        assert not response.has_header("Last-Modified")
        tomorrow = http_date(days_ahead(1).timestamp())
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=tomorrow).status_code == 200

    @pytest.mark.parametrize("url", FEEDS + ARTICLE_SITEMAPS)
    def test_a_scheduled_article_going_live_is_sent_to_clients_that_revalidate(
        self, client, newsroom, make_article, monkeypatch, url
    ):
        sports = newsroom["match"].category
        breaking = make_article(
            category=sports, headline="Breaking", published_at=now() + timedelta(minutes=1)
        )
        before = client.get(url)
        assert link(breaking) not in listed(before)

        later = now() + timedelta(minutes=2)  # its time comes; nothing is saved
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)

        assert link(breaking) in listed(revalidate(client, url, before))

    @pytest.mark.parametrize("url", FEEDS + ARTICLE_SITEMAPS)
    def test_a_substantive_edit_is_sent_to_clients_that_revalidate(self, client, newsroom, url):
        """A sitemap's lastmod moves only on a substantive update (a typo fix
        moves no public date)."""
        match = newsroom["match"]
        before = client.get(url)
        match.headline = "Match report: a late winner"
        match.substantive_update_at = now()
        match.save()
        after = revalidate(client, url, before)
        assert listed(after)[link(match)] != listed(before)[link(match)]

    @pytest.mark.parametrize("url", FEEDS + ARTICLE_SITEMAPS)
    def test_unpublishing_is_sent_to_clients_that_revalidate(self, client, newsroom, url):
        match = newsroom["match"]
        before = client.get(url)
        assert link(match) in listed(before)
        match.status = Article.Status.DRAFT
        match.save()
        assert link(match) not in listed(revalidate(client, url, before))

    @pytest.mark.parametrize("url", FEEDS + ARTICLE_SITEMAPS)
    def test_deleting_is_sent_to_clients_that_revalidate(self, client, newsroom, url):
        match = newsroom["match"]
        address = link(match)
        before = client.get(url)
        assert address in listed(before)
        match.delete()
        assert address not in listed(revalidate(client, url, before))

    @pytest.mark.parametrize("suffix", ["", "atom/"])
    def test_a_category_feed_changes_only_with_its_own_articles(
        self, client, newsroom, make_article, monkeypatch, suffix
    ):
        sports_url, news_url = f"/category/sports/feed/{suffix}", f"/category/news/feed/{suffix}"
        sports, news = client.get(sports_url), client.get(news_url)
        assert client.get(sports_url, HTTP_IF_NONE_MATCH=sports["ETag"]).status_code == 304

        council = newsroom["council"]
        council.headline = "Council vote postponed"
        council.save()
        make_article(
            category=council.category,
            headline="Budget passed",
            published_at=now() + timedelta(minutes=1),
        )
        later = now() + timedelta(minutes=2)
        monkeypatch.setattr("django.utils.timezone.now", lambda: later)

        assert client.get(sports_url, HTTP_IF_NONE_MATCH=sports["ETag"]).status_code == 304
        changed = revalidate(client, news_url, news)
        assert list(listed(changed).values()) == ["Budget passed", "Council vote postponed"]

    def test_a_new_category_is_sent_to_crawlers_that_revalidate(
        self, client, newsroom, make_category
    ):
        before = client.get("/sitemap-categories.xml")
        make_category(name="Weather", slug="weather")
        after = revalidate(client, "/sitemap-categories.xml", before)
        assert "http://testserver/category/weather/" in listed(after)

    def test_the_index_is_sent_again_when_a_section_gains_a_page(
        self, client, newsroom, make_article, monkeypatch
    ):
        monkeypatch.setattr(ArticleSitemap, "limit", 2)
        before = client.get("/sitemap.xml")
        assert "http://testserver/sitemap-articles.xml?p=2" not in index_locations(before)
        make_article()
        after = revalidate(client, "/sitemap.xml", before)
        assert "http://testserver/sitemap-articles.xml?p=2" in index_locations(after)


class TestMetadata:
    def json_ld(self, html):
        match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        return json.loads(match.group(1))

    def test_article_page_has_title_description_canonical_and_social_tags(self, client, newsroom):
        article = newsroom["match"]
        html = client.get(article.get_absolute_url() + "?cpage=2&utm_source=x").content.decode()
        assert "<title>Match report · Newsroom</title>" in html
        assert '<meta name="description" content="A late winner.">' in html
        assert (
            f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html
        )
        assert '<meta property="og:type" content="article">' in html
        assert '<meta property="og:title" content="Match report">' in html
        assert '<meta name="twitter:card"' in html

    def test_json_ld_news_article(self, client, newsroom, make_comment):
        article = newsroom["match"]
        from articles.models import Source

        Source.objects.create(article=article, name="ESPN", url="https://www.espn.com/")
        Source.objects.create(article=article, name="VAVEL", position=1)
        make_comment(article=article)
        Article.objects.filter(pk=article.pk).update(view_count=787)
        data = self.json_ld(client.get(article.get_absolute_url()).content.decode())
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == "Match report"
        assert data["description"] == "A late winner."
        assert data["datePublished"].startswith(str(article.published_at.date()))
        assert "dateModified" in data
        assert data["author"] == [
            {"@type": "Person", "name": "Ana", "url": "http://testserver/authors/ana/"}
        ]
        assert data["publisher"]["name"] == "Newsroom"
        assert data["publisher"]["logo"]["url"].startswith("http://testserver/static/")
        assert data["articleSection"] == "Sports"
        assert data["mainEntityOfPage"]["@id"] == "http://testserver" + article.get_absolute_url()
        assert data["citation"] == [
            {"@type": "CreativeWork", "name": "ESPN", "url": "https://www.espn.com/"},
            {"@type": "CreativeWork", "name": "VAVEL"},
        ]
        counts = {
            s["interactionType"]: s["userInteractionCount"] for s in data["interactionStatistic"]
        }
        assert counts == {
            "https://schema.org/ReadAction": 787,
            "https://schema.org/CommentAction": 1,
        }

    def test_json_ld_cannot_be_broken_out_of(self, client, make_article):
        article = make_article(headline="</script><script>alert(1)</script>")
        html = client.get(article.get_absolute_url()).content.decode()
        assert "</script><script>alert(1)" not in html
        assert self.json_ld(html)["headline"] == "</script><script>alert(1)</script>"

    def test_previews_are_not_indexed(self, client, editor, newsroom):
        client.force_login(editor)
        html = client.get(newsroom["draft"].get_absolute_url()).content.decode()
        assert '<meta name="robots" content="noindex">' in html
        assert "application/ld+json" not in html

    def test_home_and_category_pages_have_canonical_urls(self, client, newsroom):
        assert (
            '<link rel="canonical" href="http://testserver/">'
            in client.get("/?page=2").content.decode()
        )
        html = client.get("/category/sports/").content.decode()
        assert '<link rel="canonical" href="http://testserver/category/sports/">' in html
        assert "<title>Sports · Newsroom</title>" in html
