"""Feeds, sitemaps, robots.txt and page metadata: what machines read."""

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from articles.models import Article
from tests.conftest import days_ago, days_ahead

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
    def test_sitemap_lists_home_categories_and_published_articles(self, client, newsroom):
        response = client.get("/sitemap.xml")
        root = ET.fromstring(response.content)
        locations = [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]
        assert "http://testserver/" in locations
        assert "http://testserver/category/sports/" in locations
        assert "http://testserver" + newsroom["match"].get_absolute_url() in locations
        assert not any("secret-draft" in loc or "embargoed" in loc.lower() for loc in locations)
        lastmods = root.findall("s:url/s:lastmod", SITEMAP_NS)
        assert len(lastmods) == 2  # one per article

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


@pytest.mark.parametrize("url", ["/feeds/latest/", "/category/sports/feed/atom/", "/sitemap.xml"])
def test_feeds_and_sitemaps_revalidate_with_last_modified(client, newsroom, url):
    first = client.get(url)
    assert first.status_code == 200 and first.has_header("Last-Modified")
    again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    Article.objects.filter(pk=newsroom["match"].pk).update(updated_at=days_ahead(0.01))  # an edit
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


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
        assert data["author"] == [{"@type": "Person", "name": "Ana"}]
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
