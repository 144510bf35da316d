"""Absolute URLs come from NEWSROOM_SITE_URL, never from the request's Host header."""

import re

import pytest

from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"
ODD_HOST = "127.0.0.1:6666"  # an allowed host, with a port of the client's choosing


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.NEWSROOM_SITE_URL = SITE


def get(client, url):
    response = client.get(url, HTTP_HOST=ODD_HOST, HTTP_USER_AGENT=READER_UA)
    assert response.status_code == 200
    return response.content.decode()


def absolute_urls(text):
    return re.findall(r"https?://[^\s\"'<>]+", text)


def test_the_article_page_links_to_itself_at_the_site_url(client, make_article):
    article = make_article()
    page = get(client, article.get_absolute_url() + "?utm_source=x")
    url = SITE + article.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert f'"url": "{url}"' in page and f'"@id": "{url}"' in page  # JSON-LD
    assert "6666" not in page and "testserver" not in page


def test_a_port_in_the_host_header_never_reaches_the_shared_page(client, make_article):
    article = make_article()
    get(client, article.get_absolute_url())  # the shared page is rendered for this host
    page = client.get(article.get_absolute_url(), HTTP_USER_AGENT=f"{READER_UA} 2")
    assert "6666" not in page.content.decode()
    assert SITE + article.get_absolute_url() in page.content.decode()


@pytest.mark.parametrize("path", ["/", "/search/?q=x"])
def test_listing_pages_link_to_the_site_url(client, make_article, path):
    make_article()
    page = get(client, path)
    assert f'<link rel="canonical" href="{SITE}{path}">' in page  # a search is its query
    assert "6666" not in page


@pytest.mark.parametrize(
    "path", ["/feeds/latest/", "/feeds/latest/atom/", "/sitemap.xml", "/sitemap-news.xml"]
)
def test_feeds_and_sitemaps_link_to_the_site_url(client, make_article, path):
    make_article()
    text = get(client, path)
    links = [url for url in absolute_urls(text) if "example.com" in url or "6666" in url]
    assert links and all(url.startswith(SITE + "/") for url in links), links
    assert "6666" not in text


def test_sitemap_sections_and_category_feeds_link_to_the_site_url(client, make_article):
    article = make_article()
    index = get(client, "/sitemap.xml")
    sections = re.findall(r"<loc>https://news\.example\.com(/sitemap-[^<]+)</loc>", index)
    assert any(SITE + article.get_absolute_url() in get(client, path) for path in sections)
    feed = get(client, f"/category/{article.category.slug}/feed/")
    assert SITE + article.get_absolute_url() in feed and "6666" not in feed


def test_robots_txt_names_the_sitemaps_at_the_site_url(client):
    text = get(client, "/robots.txt")
    assert f"Sitemap: {SITE}/sitemap.xml\n" in text
    assert f"Sitemap: {SITE}/sitemap-news.xml" in text
