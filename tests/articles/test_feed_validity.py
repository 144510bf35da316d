"""The feeds, checked for what the W3C feed validator checks (it cannot be
reached from the tests): well-formed XML, a self link, dates in the formats
RSS and Atom require, entry ids that never change, the Media RSS namespace
declared, enclosures with a length and a type, the channel image, Atom's logo
and icon; and the XSL stylesheet that shows a feed as a page in a browser."""

import io
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime

import feedparser
import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree
from PIL import Image

from articles.models import Topic

pytestmark = pytest.mark.django_db

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
NS = {"atom": ATOM, "media": MEDIA}
RSS_FEEDS = [
    "/feeds/latest/",
    "/category/sports/feed/",
    "/authors/ana/feed/",
    "/topics/champions-league/feed/",
]
ATOM_FEEDS = [
    "/feeds/latest/atom/",
    "/category/sports/feed/atom/",
    "/authors/ana/feed/atom/",
    "/topics/champions-league/feed/atom/",
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.NEWSROOM_TAG_AUTHORITY = "testserver,2026"
    return tmp_path


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1000), (40, 90, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def articles(make_article, make_category, make_image):
    sports = make_category(name="Sports", slug="sports", description="Results.")
    match = make_article(
        category=sports,
        headline="Match report",
        byline="Ana and Ben",
        hero=make_image(file=photo(), alt_text="The winning goal"),
    )
    match.topics.add(Topic.objects.create(name="Champions League", slug="champions-league"))
    return {
        "match": match,
        "preview": make_article(category=sports, headline="Preview", byline=""),
    }


def fetch(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response


def document(client, url, **headers):
    """The feed's root element, parsed strictly: a feed that is not well-formed fails here."""
    return ET.fromstring(fetch(client, url, **headers).content)


def items_by_title(root):
    items = root.findall("channel/item") or root.findall("atom:entry", NS)
    return {
        (item.findtext("title") or item.findtext("atom:title", namespaces=NS)): item
        for item in items
    }


class TestRss:
    @pytest.mark.parametrize("url", RSS_FEEDS)
    def test_declares_the_media_namespace_and_links_to_itself(self, client, articles, url):
        content = fetch(client, url).content.decode()
        assert f'xmlns:media="{MEDIA}"' in content
        root = ET.fromstring(content)
        assert root.tag == "rss" and root.get("version") == "2.0"
        (self_link,) = root.findall("channel/atom:link[@rel='self']", NS)
        assert self_link.get("href") == "http://testserver" + url

    @pytest.mark.parametrize("url", RSS_FEEDS)
    def test_dates_are_rfc_822(self, client, articles, url):
        root = document(client, url)
        dates = [root.findtext("channel/lastBuildDate")]
        dates += [item.findtext("pubDate") for item in root.findall("channel/item")]
        for date in dates:
            assert parsedate_to_datetime(date).tzinfo is not None

    @pytest.mark.parametrize("url", RSS_FEEDS)
    def test_channel_image_has_url_title_and_link_of_the_channel(self, client, articles, url):
        channel = document(client, url).find("channel")
        image = channel.find("image")
        assert image.findtext("title") == channel.findtext("title")
        assert image.findtext("link") == channel.findtext("link")
        width, height = int(image.findtext("width")), int(image.findtext("height"))
        assert width <= 144 and height <= 400  # RSS 2.0's limits
        path = image.findtext("url").removeprefix("http://testserver/static/")
        with Image.open(finders.find(path)) as file:
            assert file.format == "PNG" and file.size == (width, height)

    def test_guids_are_tag_uris_marked_not_permalinks(self, client, articles):
        items = items_by_title(document(client, "/feeds/latest/"))
        for title, article in [
            ("Match report", articles["match"]),
            ("Preview", articles["preview"]),
        ]:
            guid = items[title].find("guid")
            assert guid.get("isPermaLink") == "false"
            assert guid.text == f"tag:testserver,2026:article-{article.pk}"

    def test_an_item_with_a_hero_carries_media_content_and_an_enclosure(
        self, client, articles, media_root
    ):
        item = items_by_title(document(client, "/feeds/latest/"))["Match report"]
        crop = articles["match"].hero.crops["16x9"]
        url = f"http://testserver/media/{crop['name']}"
        (media,) = item.findall("media:content", NS)
        assert media.attrib == {
            "url": url,
            "medium": "image",
            "type": "image/jpeg",
            "width": "1200",
            "height": "675",
            "fileSize": str(crop["bytes"]),
        }
        assert item.findtext("media:description", namespaces=NS) == "The winning goal"
        (enclosure,) = item.findall("enclosure")
        assert enclosure.attrib == {
            "url": url,
            "length": str((media_root / crop["name"]).stat().st_size),
            "type": "image/jpeg",
        }

    def test_an_item_without_a_hero_shows_its_social_card_without_an_enclosure(
        self, client, articles
    ):
        item = items_by_title(document(client, "/feeds/latest/"))["Preview"]
        assert item.find("enclosure") is None  # an enclosure must state a length in bytes
        media = item.find("media:content", NS).attrib
        assert (media["medium"], media["type"], media["width"], media["height"]) == (
            "image",
            "image/png",
            "1200",
            "630",
        )
        assert "/cards/" in media["url"] and "fileSize" not in media
        assert client.get(media["url"].removeprefix("http://testserver")).status_code == 200

    def test_feed_readers_see_the_image(self, client, articles):
        feed = feedparser.parse(fetch(client, "/feeds/latest/").content)
        assert not feed.bozo, feed.get("bozo_exception")
        entry = next(e for e in feed.entries if e.title == "Match report")
        assert entry.media_content[0]["medium"] == "image"
        assert entry.enclosures[0]["type"] == "image/jpeg"
        assert entry.id.startswith("tag:testserver,2026:article-")
        assert feed.feed.image["href"].endswith(".png")


class TestAtom:
    @pytest.mark.parametrize("url", ATOM_FEEDS)
    def test_links_to_itself_has_logo_icon_author_and_rfc_3339_dates(self, client, articles, url):
        root = document(client, url)
        assert root.tag == f"{{{ATOM}}}feed"
        (self_link,) = root.findall("atom:link[@rel='self']", NS)
        assert self_link.get("href") == "http://testserver" + url
        for name in ("logo", "icon"):
            address = root.findtext(f"atom:{name}", namespaces=NS)
            assert address.startswith("http://testserver/static/images/")
        with Image.open(
            finders.find(
                root.findtext("atom:logo", namespaces=NS).removeprefix("http://testserver/static/")
            )
        ) as logo:
            assert logo.width == 2 * logo.height  # RFC 4287: twice as wide as tall
        with Image.open(
            finders.find(
                root.findtext("atom:icon", namespaces=NS).removeprefix("http://testserver/static/")
            )
        ) as icon:
            assert icon.width == icon.height  # RFC 4287: square
        assert root.findtext("atom:id", namespaces=NS).startswith("tag:testserver,2026:feed-")
        # Every entry has an author: its own, or the feed's.
        assert root.findtext("atom:author/atom:name", namespaces=NS) == "Newsroom"
        dates = [root.findtext("atom:updated", namespaces=NS)]
        for entry in root.findall("atom:entry", NS):
            dates += [
                entry.findtext("atom:updated", namespaces=NS),
                entry.findtext("atom:published", namespaces=NS),
            ]
        for date in dates:
            assert datetime.fromisoformat(date).tzinfo is not None

    def test_entries_have_tag_ids_media_content_and_an_enclosure_link(self, client, articles):
        entry = items_by_title(document(client, "/feeds/latest/atom/"))["Match report"]
        article = articles["match"]
        assert (
            entry.findtext("atom:id", namespaces=NS) == f"tag:testserver,2026:article-{article.pk}"
        )
        (media,) = entry.findall("media:content", NS)
        assert media.get("medium") == "image" and media.get("width") == "1200"
        (enclosure,) = entry.findall("atom:link[@rel='enclosure']", NS)
        assert enclosure.get("type") == "image/jpeg"
        assert enclosure.get("length") == str(article.hero.crops["16x9"]["bytes"])


class TestIdsNeverChange:
    @pytest.mark.parametrize("url", ["/feeds/latest/", "/feeds/latest/atom/"])
    def test_an_entry_keeps_its_id_when_slug_host_and_site_address_change(
        self, client, articles, settings, url, django_capture_on_commit_callbacks
    ):
        def entry_ids(**headers):
            root = document(client, url, **headers)
            items = root.findall("channel/item") or root.findall("atom:entry", NS)
            return [
                item.findtext("guid") or item.findtext("atom:id", namespaces=NS) for item in items
            ]

        before = entry_ids()
        match = articles["match"]
        match.slug = "match-report-late-winner"
        with django_capture_on_commit_callbacks(execute=True):
            match.save()
        settings.ALLOWED_HOSTS = ["*"]
        assert entry_ids(HTTP_HOST="news.example.org") == before
        settings.NEWSROOM_SITE_URL = "https://news.example.com"
        after = entry_ids(HTTP_HOST="news.example.com", **{"wsgi.url_scheme": "https"})
        assert after == before
        assert (
            "match-report-late-winner"
            in fetch(client, url, HTTP_HOST="news.example.com").content.decode()
        )


class TestStyledForBrowsers:
    @pytest.mark.parametrize("url", RSS_FEEDS + ATOM_FEEDS)
    def test_feeds_are_sent_as_xml_so_browsers_apply_the_stylesheet(self, client, articles, url):
        assert fetch(client, url)["Content-Type"] == "application/xml; charset=utf-8"

    @pytest.mark.parametrize("url", RSS_FEEDS + ATOM_FEEDS)
    def test_feed_names_the_sites_own_xsl_stylesheet_before_its_root(self, client, articles, url):
        content = fetch(client, url).content.decode()
        prolog, _, _ = content.partition("<rss" if "<rss" in content else "<feed")
        assert (
            '<?xml-stylesheet href="/static/feeds/feed.xsl" media="screen" type="text/xsl"?>'
            in prolog
        )

    @pytest.mark.parametrize("url", ["/feeds/latest/", "/feeds/latest/atom/"])
    def test_the_stylesheet_shows_the_feed_as_a_page(self, client, articles, url):
        transform = etree.XSLT(etree.parse(finders.find("feeds/feed.xsl")))
        page = str(transform(etree.fromstring(fetch(client, url).content)))
        assert "<h1>Newsroom: latest</h1>" in page
        assert "This is a <strong>web feed</strong>" in page
        assert (
            f'href="http://testserver{articles["match"].get_absolute_url()}">Match report</a>'
            in page
        )
        assert "Preview" in page
        assert '<link rel="stylesheet" href="/static/css/site.css">' in page
        assert "<style" not in page and "<script" not in page  # nothing the CSP refuses


class TestFeedLinks:
    @pytest.mark.parametrize(
        "url, rss, atom",
        [
            ("/", "/feeds/latest/", "/feeds/latest/atom/"),
            ("/category/sports/", "/category/sports/feed/", "/category/sports/feed/atom/"),
        ],
    )
    def test_home_and_category_pages_show_and_announce_their_feeds(
        self, client, articles, url, rss, atom
    ):
        html = fetch(client, url).content.decode()
        head, _, body = html.partition("</head>")
        assert (
            '<link rel="alternate" type="application/rss+xml"' in head and f'href="{rss}"' in head
        )
        assert 'type="application/atom+xml"' in head and f'href="{atom}"' in head
        assert f'<a href="{rss}" type="application/rss+xml">RSS feed</a>' in body
        assert f'<a href="{atom}" type="application/atom+xml">Atom feed</a>' in body
