"""Pages, feeds and sitemaps go out gzip-compressed to clients that accept it,
with Django's BREACH mitigation, and compression changes nothing else about
how they are cached and revalidated. (Static files: tests/test_http_caching.py.)"""

import gzip

import pytest

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
FNAME = 0x08  # the gzip header flag for a file name field


@pytest.fixture
def newsroom(make_article):
    for n in range(6):
        make_article(
            headline=f"Council budget story {n}",
            standfirst="The council's budget, line by line, for every reader.",
        )
    article = make_article(headline="Budget approved")
    return {
        "home": "/",
        "category": article.category.get_absolute_url(),
        "article": article.get_absolute_url(),
        "search": "/search/?q=budget",
        "feed": "/feeds/latest/",
        "atom": "/feeds/latest/atom/",
        "sitemap": "/sitemap-articles.xml",
        "news sitemap": "/sitemap-news.xml",
    }


KINDS = ["home", "category", "article", "search", "feed", "atom", "sitemap", "news sitemap"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_client_that_accepts_gzip_gets_it(client, newsroom, kind):
    plain = client.get(newsroom[kind])
    compressed = client.get(newsroom[kind], **GZIP)
    assert compressed.status_code == 200
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert "Content-Encoding" not in plain
    text = gzip.decompress(compressed.content)
    assert len(compressed.content) < len(text)
    assert text.split(b"<", 1)[1][:20] == plain.content.split(b"<", 1)[1][:20]


def test_compressed_pages_carry_the_breach_mitigation(client, newsroom):
    """Django pads each gzip header with a file name of random length, so the
    size of a response no longer tells an attacker what a secret is."""
    response = client.get("/", **GZIP)
    assert response.content[3] & FNAME


def test_a_compressed_feed_is_still_revalidated_by_its_etag(client, newsroom):
    first = client.get("/feeds/latest/", **GZIP)
    assert first["ETag"].startswith('W/"')  # compressed: the validator is weak
    again = client.get("/feeds/latest/", HTTP_IF_NONE_MATCH=first["ETag"], **GZIP)
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("kind", ["home", "category", "search", "feed", "sitemap"])
def test_compressed_listings_may_still_be_kept_by_shared_caches(client, newsroom, kind):
    response = client.get(newsroom[kind], **GZIP)
    assert "public" in response["Cache-Control"] and "s-maxage=" in response["Cache-Control"]
    assert response["Surrogate-Key"] == "site"


def test_article_pages_stay_private_when_compressed(client, newsroom):
    response = client.get(newsroom["article"], **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "private" in response["Cache-Control"]
