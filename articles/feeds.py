"""RSS 2.0 and Atom feeds of the newest articles, written to pass the W3C feed
validator without warnings: entry ids that never change, each hero image as
Media RSS ``media:content`` and an enclosure, the photos in the body as more
``media:content``, the channel's image, Atom's logo
and icon, and an XSL stylesheet that shows the feed as a page in a browser."""

import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.xmlutils import SimplerXMLGenerator

from .body import referenced_images
from .conditional import articles_fingerprint, fingerprint
from .models import Article, ArticleNote, Category, Contributor, Image, Topic, credits_prefetch
from .site_url import absolute

FEED_LENGTH = 30

MEDIA_NS = "http://search.yahoo.com/mrss/"
STYLESHEET = "feeds/feed.xsl"
# Square, within RSS's 144x400 limit for a channel image: the RSS image and Atom icon.
FEED_IMAGE = ("images/feed-image.png", 144, 144)
# Twice as wide as tall, as RFC 4287 asks of an Atom logo.
FEED_LOGO = "images/feed-logo.png"
# Sent as generic XML: Chromium shows application/rss+xml and application/atom+xml
# as raw text and never applies their stylesheet. Feed readers read the root
# element, and the pages' <link rel="alternate"> still name RSS and Atom.
CONTENT_TYPE = "application/xml; charset=utf-8"


def tag_uri(name):
    """A tag URI (RFC 4151) under the site's fixed tag authority: an id that stays
    when the site's address does (``settings.NEWSROOM_TAG_AUTHORITY``)."""
    return f"tag:{settings.NEWSROOM_TAG_AUTHORITY}:{name}"


def entry_id(article):
    """The article's id in every feed, for good, made from its primary key. Not
    from its address: a new slug, a new host name or http becoming https would
    otherwise show the article again as new in every feed reader."""
    return tag_uri(f"article-{article.pk}")


def feed_image(article):
    """The image a feed shows for the article: its hero's 16:9 crop, or its
    generated social card when it has no hero. None while a hero's crops are
    not made yet (``manage.py make_image_crops``)."""
    image = article.share_image()
    if article.hero_id and not image["bytes"]:
        return None
    return image


def add_media_content(handler, image):
    handler.addQuickElement(
        "media:content",
        None,
        {
            "url": image["url"],
            "medium": "image",
            "type": image["type"],
            "width": str(image["width"]),
            "height": str(image["height"]),
            # Known for the crops; a social card is drawn on its first request.
            **({"fileSize": str(image["bytes"])} if image["bytes"] else {}),
        },
    )
    if image["alt"]:
        handler.addQuickElement("media:description", image["alt"], {"type": "plain"})


class RssWithMedia(Rss201rev2Feed):
    """RSS 2.0 with the channel's image and each item's ``media:content``."""

    content_type = CONTENT_TYPE

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        url, width, height = FEED_IMAGE
        handler.startElement("image", {})
        handler.addQuickElement("url", absolute(static(url)))
        handler.addQuickElement("title", self.feed["title"])
        handler.addQuickElement("link", self.feed["link"])
        handler.addQuickElement("width", str(width))
        handler.addQuickElement("height", str(height))
        handler.endElement("image")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for image in [item.get("image"), *item.get("body_images", [])]:
            if image:
                add_media_content(handler, image)


class AtomWithMedia(Atom1Feed):
    """Atom with a logo, an icon, each entry's ``media:content``, and the
    stylesheet (Django adds stylesheets to RSS only)."""

    content_type = CONTENT_TYPE

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", str(stylesheet))
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("icon", absolute(static(FEED_IMAGE[0])))
        handler.addQuickElement("logo", absolute(static(FEED_LOGO)))

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for image in [item.get("image"), *item.get("body_images", [])]:
            if image:
                add_media_content(handler, image)


def newest(articles):
    """The first ``FEED_LENGTH`` articles with what an item shows: one query for
    the articles, one for their credits, one for all the library images their
    bodies show."""
    items = list(
        articles.select_related("category", "author", "hero").prefetch_related(credits_prefetch())[
            :FEED_LENGTH
        ]
    )
    wanted = {article.pk: referenced_images(article.body) for article in items}
    found = Image.objects.in_bulk({pk for ids in wanted.values() for pk in ids})
    for article in items:
        article.body_images = {pk: found[pk] for pk in wanted[article.pk] if pk in found}
    return items


def body_image(image):
    """A library image in the body, as ``add_media_content`` writes it."""
    return {
        "url": absolute(image.file.url),
        "type": mimetypes.guess_type(image.file.name)[0] or "image/jpeg",
        "width": image.width,
        "height": image.height,
        "alt": image.alt_text,
        "bytes": None,
    }


class LatestArticlesFeed(Feed):
    """The newest published articles (RSS 2.0)."""

    feed_type = RssWithMedia
    description = "The latest articles."
    # The feed's own author, so that Atom entries without a byline still have one.
    author_name = settings.NEWSROOM_PUBLISHER_NAME

    def stylesheets(self):
        return [static(STYLESHEET)]

    def feed_guid(self):
        return tag_uri("feed-latest")

    def title(self):
        return f"{settings.SITE_NAME}: latest"

    def link(self):
        return reverse("articles:home")

    def articles(self):
        """The published articles this feed is made from and validated against."""
        return Article.objects.published()

    def items(self):
        return newest(self.articles())

    def etag(self, request, **url_kwargs):
        """The feed's ETag: a fingerprint of its own set of articles, in one query."""
        return articles_fingerprint(self.articles(**url_kwargs))

    def item_title(self, article):
        return article.headline

    def item_description(self, article):
        return article.standfirst

    def item_author_name(self, article):
        return article.byline_name or None

    def item_categories(self, article):
        return [article.category.name]

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.modified_at

    def item_guid(self, article):
        return entry_id(article)

    item_guid_is_permalink = False

    def item_enclosures(self, article):
        image = feed_image(article)
        if image is None or not image["bytes"]:  # an enclosure must state its length
            return []
        return [Enclosure(absolute(image["url"]), str(image["bytes"]), image["type"])]

    def item_extra_kwargs(self, article):
        image = feed_image(article)
        return {
            "image": {**image, "url": absolute(image["url"])} if image else None,
            "body_images": [body_image(i) for i in article.body_images_in_order()],
        }


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomWithMedia
    subtitle = LatestArticlesFeed.description


class SubjectFeed(LatestArticlesFeed):
    """The newest published articles of one subject, named by slug in the URL:
    a category, a contributor or a topic (RSS 2.0)."""

    model = Category

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def feed_guid(self, subject):
        return tag_uri(f"feed-{self.model._meta.model_name}-{subject.pk}")

    def title(self, subject):
        return f"{settings.SITE_NAME}: {subject.name}"

    def link(self, subject):
        return subject.get_absolute_url()

    def items(self, subject):
        return newest(self.articles(subject.slug))


class AtomSubtitle:
    feed_type = AtomWithMedia

    def subtitle(self, subject):
        return self.description(subject)


class CategoryFeed(SubjectFeed):
    def description(self, category):
        return category.description or f"The latest {category.name} articles."

    def articles(self, slug):
        return Article.objects.published().filter(category__slug=slug)


class CategoryAtomFeed(AtomSubtitle, CategoryFeed):
    pass


class AuthorFeed(SubjectFeed):
    model = Contributor

    def description(self, contributor):
        return f"The latest articles by {contributor.name}."

    def articles(self, slug):
        return Article.objects.published().credited_to(slug)


class AuthorAtomFeed(AtomSubtitle, AuthorFeed):
    pass


class TopicFeed(SubjectFeed):
    model = Topic

    def description(self, topic):
        return topic.description or f"The latest articles on {topic.name}."

    def articles(self, slug):
        return Article.objects.published().tagged(slug)


class TopicAtomFeed(AtomSubtitle, TopicFeed):
    pass


class CorrectionsFeed(Feed):
    """Every public correction and clarification site-wide (RSS 2.0), newest
    first, each linking to the note on its article's page."""

    feed_type = RssWithMedia
    description = "Corrections and clarifications to our stories, newest first."
    author_name = settings.NEWSROOM_PUBLISHER_NAME

    def stylesheets(self):
        return [static(STYLESHEET)]

    def feed_guid(self):
        return tag_uri("feed-corrections")

    def title(self):
        return f"{settings.SITE_NAME}: corrections"

    def link(self):
        return reverse("articles:corrections")

    def items(self):
        return ArticleNote.objects.corrections()[:FEED_LENGTH]

    def etag(self, request, **url_kwargs):
        """A fingerprint of the listed notes, in one query: a new note, a
        retraction or an article leaving the published set each move it."""
        summary = (
            ArticleNote.objects.corrections()
            .order_by()
            .aggregate(count=Count("pk"), newest=Max("published_at"), retracted=Max("retracted_at"))
        )
        return fingerprint(summary["count"], summary["newest"], summary["retracted"])

    def item_title(self, note):
        return f"{note.get_kind_display()}: {note.article.headline}"

    def item_description(self, note):
        if note.is_retracted:
            retracted = timezone.localtime(note.retracted_at).strftime("%B %-d, %Y at %H:%M %Z")
            return (
                f"{note.text}\n\nThis {note.get_kind_display().lower()} was retracted "
                f"on {retracted}: {note.retraction_note}"
            )
        return note.text

    def item_link(self, note):
        return note.get_absolute_url()

    def item_pubdate(self, note):
        return note.published_at

    def item_updateddate(self, note):
        return note.retracted_at or note.published_at

    def item_guid(self, note):
        return tag_uri(f"note-{note.pk}")

    item_guid_is_permalink = False


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = AtomWithMedia
    subtitle = CorrectionsFeed.description
