"""What search engines and social networks read from an article page, parsed
by tools nobody here wrote: extruct reads the JSON-LD and OpenGraph as a
crawler would, PyLD expands the JSON-LD as a JSON-LD processor must. The
checks follow Google's Article structured-data guidance (headline, images in
16:9, 4:3 and 1:1 of at least 50,000 pixels, dates, author, publisher logo) and
the OpenGraph and X card documentation."""

import io
import re
from datetime import datetime

import extruct
import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pyld import jsonld

from articles.structured_data import SCHEMA_TYPES
from tests.schema_org import RELEASE, misuses

pytestmark = pytest.mark.django_db

SCHEMA = "http://schema.org/"
# schema.org's own context sets this vocabulary; the tests have no network, so
# the loader below serves this small stand-in for https://schema.org.
SCHEMA_CONTEXT = {"@context": {"@vocab": SCHEMA}}

LONG_HEADLINE = (
    "Council approves the riverside housing plan after a six-hour debate, with "
    "conditions on flood defences, school places and a new bus route"
)


def offline_loader(url, options=None):
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_CONTEXT}
    raise AssertionError(f"the JSON-LD asks for a document it should not need: {url}")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo(width=2400, height=1600):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def page_of(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def extracted(html):
    data = extruct.extract(
        html, base_url="http://testserver/", syntaxes=["json-ld", "opengraph"], uniform=False
    )
    (news_article,) = data["json-ld"]
    (opengraph,) = data["opengraph"]
    return news_article, opengraph["properties"]


def served_image(client, url):
    """The image at an absolute URL of the site, opened as a crawler would."""
    path = url.removeprefix("http://testserver")
    if path.startswith("/media/"):
        from django.conf import settings

        return Image.open(settings.MEDIA_ROOT / path.removeprefix("/media/"))
    response = client.get(path)
    assert response.status_code == 200, path
    return Image.open(io.BytesIO(response.content))


def expanded_author_page(client, slug):
    """An author page's JSON-LD, expanded as a JSON-LD processor reads it."""
    html = client.get(f"/authors/{slug}/").content.decode()
    (data,) = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    (expanded,) = jsonld.expand(data, {"documentLoader": offline_loader})
    return expanded


@pytest.fixture
def story(make_article, make_category, make_image):
    return make_article(
        headline=LONG_HEADLINE,
        standfirst="Six hours, three amendments, one vote.",
        byline="Ana Reporter",
        category=make_category(name="Local", slug="local"),
        hero=make_image(file=photo(), alt_text="Councillors vote by a show of hands"),
    )


class TestJsonLd:
    def test_has_googles_recommended_article_properties(self, client, story):
        data, _ = extracted(page_of(client, story))
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == LONG_HEADLINE  # whole, as on the page
        assert len(LONG_HEADLINE) > 110
        assert data["description"] == "Six hours, three amendments, one vote."
        for key in ("datePublished", "dateModified"):
            assert datetime.fromisoformat(data[key]).tzinfo is not None  # ISO 8601 with a zone
        assert data["author"] == [
            {
                "@type": "Person",
                "name": "Ana Reporter",
                "url": "http://testserver/authors/ana-reporter/",
            }
        ]
        assert data["articleSection"] == "Local"
        page = "http://testserver" + story.get_absolute_url()
        assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": page}
        assert data["url"] == page

    def test_headline_is_the_one_on_the_page(self, client, story):
        html = page_of(client, story)
        data, _ = extracted(html)
        h1 = re.search(r'<h1 class="article__headline">(.*?)</h1>', html).group(1)
        assert data["headline"] == h1

    def test_images_are_16x9_4x3_and_square_at_least_1200_wide(self, client, story):
        data, _ = extracted(page_of(client, story))
        images = data["image"]
        ratios = [round(i["width"] / i["height"], 2) for i in images]
        assert ratios == [1.78, 1.33, 1.0]
        for image in images:
            assert image["@type"] == "ImageObject"
            assert image["width"] >= 1200
            assert image["width"] * image["height"] >= 50_000
            with served_image(client, image["url"]) as served:
                assert served.size == (image["width"], image["height"])
                assert served.format == "JPEG"

    def test_a_small_original_gives_crops_as_wide_as_it_allows(
        self, client, make_article, make_image
    ):
        article = make_article(hero=make_image(file=photo(900, 600), alt_text="A small photo"))
        data, _ = extracted(page_of(client, article))
        assert [(i["width"], i["height"]) for i in data["image"]] == [
            (900, 506),
            (800, 600),
            (600, 600),
        ]

    def test_an_article_without_a_hero_has_its_social_card_as_image(self, client, make_article):
        article = make_article(headline="Quiet night at the town hall")
        data, _ = extracted(page_of(client, article))
        (image,) = data["image"]
        assert (image["width"], image["height"]) == (1200, 630)
        assert image["url"].startswith(f"http://testserver/cards/{article.pk}/")
        with served_image(client, image["url"]) as card:
            assert card.format == "PNG" and card.size == (1200, 630)

    def test_publisher_has_a_square_logo_of_at_least_112_pixels(self, client, story):
        data, _ = extracted(page_of(client, story))
        publisher = data["publisher"]
        assert publisher["@type"] == "Organization"
        assert publisher["name"] == "Newsroom"
        assert publisher["url"] == "http://testserver/"
        logo = publisher["logo"]
        assert logo["width"] == logo["height"] >= 112
        path = logo["url"].removeprefix("http://testserver/static/")
        with Image.open(finders.find(path)) as image:
            assert image.format == "PNG"
            assert image.size == (logo["width"], logo["height"])

    def test_expands_as_json_ld_without_error(self, client, story):
        data, _ = extracted(page_of(client, story))
        (expanded,) = jsonld.expand(data, {"documentLoader": offline_loader})
        assert expanded["@type"] == [SCHEMA + "NewsArticle"]
        assert expanded[SCHEMA + "headline"] == [{"@value": LONG_HEADLINE}]
        images = expanded[SCHEMA + "image"]
        assert len(images) == 3 and all(SCHEMA + "url" in image for image in images)
        (publisher,) = expanded[SCHEMA + "publisher"]
        assert publisher["@type"] == [SCHEMA + "Organization"]
        assert SCHEMA + "logo" in publisher


class TestOpenGraph:
    def test_article_page_has_every_opengraph_property(self, client, story):
        html = page_of(client, story)
        _, properties = extracted(html)
        og = dict(properties)
        wide = story.hero.crops["16x9"]
        assert og == {
            "og:site_name": "Newsroom",
            "og:locale": "en_US",
            "og:url": "http://testserver" + story.get_absolute_url(),
            "og:type": "article",
            "og:title": LONG_HEADLINE,
            "og:description": "Six hours, three amendments, one vote.",
            "og:image": f"http://testserver/media/{wide['name']}",
            "og:image:type": "image/jpeg",
            "og:image:width": "1200",
            "og:image:height": "675",
            "og:image:alt": "Councillors vote by a show of hands",
            "article:published_time": story.published_at.replace(microsecond=0).isoformat(),
            "article:modified_time": og["article:modified_time"],
            "article:section": "Local",
            "article:author": "http://testserver/authors/ana-reporter/",
        }
        datetime.fromisoformat(og["article:modified_time"])
        assert len(properties) == len(og)  # no property said twice
        assert '<meta name="twitter:card" content="summary_large_image">' in html

    def test_og_image_is_the_size_it_says(self, client, story):
        og = dict(extracted(page_of(client, story))[1])
        with served_image(client, og["og:image"]) as image:
            assert image.size == (int(og["og:image:width"]), int(og["og:image:height"]))

    def test_without_a_hero_the_social_card_is_the_og_image(self, client, make_article):
        article = make_article(headline="Quiet night at the town hall")
        og = dict(extracted(page_of(client, article))[1])
        assert og["og:image"].startswith(f"http://testserver/cards/{article.pk}/")
        assert (og["og:image:width"], og["og:image:height"]) == ("1200", "630")
        assert og["og:image:type"] == "image/png"
        assert og["og:image:alt"] == "Quiet night at the town hall"

    @pytest.mark.parametrize("url", ["/", "/category/local/"])
    def test_other_pages_share_the_sites_own_1200x630_card(self, client, story, url):
        html = client.get(url).content.decode()
        og = dict(
            extruct.extract(html, syntaxes=["opengraph"], uniform=False)["opengraph"][0][
                "properties"
            ]
        )
        assert og["og:locale"] == "en_US"
        assert (og["og:image:width"], og["og:image:height"]) == ("1200", "630")
        path = og["og:image"].removeprefix("http://testserver/static/")
        with Image.open(finders.find(path)) as image:
            assert image.size == (1200, 630)
        assert '<meta name="twitter:card" content="summary_large_image">' in html


class TestTypesAndPeople:
    """The article types, their people and sponsors, as a JSON-LD processor
    reads them: every term lands in the schema.org vocabulary."""

    @pytest.mark.parametrize(
        "kind, schema_type",
        [
            ("opinion", "OpinionNewsArticle"),
            ("analysis", "AnalysisNewsArticle"),
            ("review", "ReviewNewsArticle"),
            ("sponsored", "AdvertiserContentArticle"),
        ],
    )
    def test_each_type_expands_to_its_schema_org_type(
        self, client, make_article, kind, schema_type
    ):
        article = make_article(kind=kind, sponsor_name="Acme", sponsor_url="https://acme.example/")
        data, _ = extracted(page_of(client, article))
        (expanded,) = jsonld.expand(data, {"documentLoader": offline_loader})
        assert expanded["@type"] == [SCHEMA + schema_type]
        if kind == "sponsored":
            (sponsor,) = expanded[SCHEMA + "sponsor"]
            assert sponsor[SCHEMA + "name"] == [{"@value": "Acme"}]

    def test_authors_expand_as_people_with_their_pages_and_profiles(self, client, make_article):
        from articles.models import Contributor

        article = make_article(byline="Ana Reporter")
        Contributor.objects.filter(slug="ana-reporter").update(same_as="https://example.com/@ana")
        data, _ = extracted(page_of(client, article))
        (expanded,) = jsonld.expand(data, {"documentLoader": offline_loader})
        (author,) = expanded[SCHEMA + "author"]
        assert author["@type"] == [SCHEMA + "Person"]
        assert author[SCHEMA + "url"] == [{"@value": "http://testserver/authors/ana-reporter/"}]
        assert author[SCHEMA + "sameAs"] == [{"@value": "https://example.com/@ana"}]

    def test_an_author_page_expands_as_a_profile_page_about_the_person(self, client, make_article):
        make_article(byline="Ana Reporter")
        expanded = expanded_author_page(client, "ana-reporter")
        assert expanded["@type"] == [SCHEMA + "ProfilePage"]
        (person,) = expanded[SCHEMA + "mainEntity"]
        assert person["@type"] == [SCHEMA + "Person"]
        assert person[SCHEMA + "name"] == [{"@value": "Ana Reporter"}]


class TestAgainstSchemaOrgDefinitions:
    """Every type and property in the pages' JSON-LD is one schema.org defines
    (tests/schema_org.py), each property on a type within its domain."""

    @pytest.mark.parametrize("kind", list(SCHEMA_TYPES))
    def test_each_article_type_uses_only_schema_org_terms_in_their_domains(
        self, client, make_article, make_image, kind
    ):
        from articles.models import ArticleNote, Contributor

        article = make_article(
            kind=kind,
            byline="Ana Reporter and Ben Critic",
            sponsor_name="Acme",
            sponsor_url="https://acme.example/",
            sources=[("Council minutes", "https://council.example/minutes")],
            hero=make_image(file=photo(), alt_text="Councillors vote"),
        )
        Contributor.objects.filter(slug="ana-reporter").update(same_as="https://example.com/@ana")
        ArticleNote.objects.create(
            article=article,
            kind=ArticleNote.Kind.CORRECTION,
            text="An earlier version gave the wrong date.",
        )
        data, _ = extracted(page_of(client, article))
        (expanded,) = jsonld.expand(data, {"documentLoader": offline_loader})
        assert expanded["@type"] == [SCHEMA + SCHEMA_TYPES[kind]]
        assert {SCHEMA + "correction", SCHEMA + "citation", SCHEMA + "image"} <= expanded.keys()
        assert misuses(expanded) == []

    def test_the_author_page_uses_only_schema_org_terms_in_their_domains(
        self, client, make_article
    ):
        make_article(byline="Ana Reporter")
        expanded = expanded_author_page(client, "ana-reporter")
        assert expanded["@type"] == [SCHEMA + "ProfilePage"]
        assert misuses(expanded) == []

    def test_the_check_names_unknown_terms_and_properties_outside_their_domain(self):
        wrong = {
            "@type": [SCHEMA + "Person"],
            SCHEMA + "headline": [{"@value": "A person has no headline"}],
            SCHEMA + "nmae": [{"@value": "Ana"}],
            SCHEMA + "image": [{"@type": [SCHEMA + "Photo"], SCHEMA + "url": [{"@value": "/p"}]}],
        }
        assert misuses(wrong) == [
            "$: headline is not a property of Person",
            "$: http://schema.org/nmae is not a schema.org property",
            "$.image[0]: Photo is not a schema.org type",
        ]
        assert RELEASE == "30.0"
