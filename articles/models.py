import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, URLValidator
from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django_prose_editor.fields import ProseEditorField, create_sanitizer

from . import social_cards
from .body import canonical_media, image_uses, reader_html, referenced_images
from .bylines import join_names
from .images import (
    CROP_RATIOS,
    delete_crops,
    delete_renditions,
    make_crops,
    make_renditions,
    validate_image_content,
    validate_upload_size,
)
from .search import FullTextField, plain_text, search_vector

# What the body editor offers, and so what the sanitizer lets through: the
# allowlist is derived from this one list by django-prose-editor.
BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Underline": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"protocols": ["http", "https", "mailto"]},
    # The body's media (articles.body, static/js/body-media.js).
    "LibraryImage": True,
    "Gallery": True,
    "Embed": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "Caption": True,
    "TableFigure": True,
    "PullQuote": True,
}


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The category's address: /category/<slug>/."
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences shown at the top of the category page."
    )
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text="Order in the navigation and on the home page; lower numbers come first.",
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})


def not_ended(field, now):
    """Rows whose optional end time (``field``) is empty or still to come."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": now})


class ImageQuerySet(models.QuerySet):
    def search(self, terms):
        """Images whose alt text, caption, credit or source mention ``terms``."""
        found = Q()
        for field in ("alt_text", "caption", "credit", "source"):
            found |= Q(**{f"{field}__icontains": terms})
        return self.filter(found)

    def in_use(self):
        """Images some story uses: as its hero, in its body, in a live entry."""
        return self.filter(_used_image())

    def not_in_use(self):
        return self.exclude(_used_image())

    def missing(self, ids):
        """The ids among ``ids`` that name no image, in their order: one query."""
        ids = list(dict.fromkeys(ids))
        found = set(self.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        return [pk for pk in ids if pk not in found]


def _used_image():
    """An image has a row that protects it (``image_protections``): one
    ``EXISTS`` for each such foreign key, or'ed."""
    condition = Q()
    for model, field, _ in image_protections():
        condition |= Exists(model.objects.filter(**{field: OuterRef("pk")}))
    return condition


def image_protections():
    """Every foreign key that keeps a library image from being deleted, as
    ``(model, field name, path from a row to its story)``: an article's hero,
    the photos and galleries of its body (``BodyImageUse``), and those of the
    apps built on this one (a live entry's photo). Found rather than listed,
    so this app imports none of those apps, and a new kind of use is counted
    as soon as its foreign key protects the image; its row must lead to an
    article by a foreign key."""
    protections = []
    # As the deletion's collector finds them: hidden ones (related_name="+") too.
    for relation in Image._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        if relation.on_delete is not models.PROTECT:
            continue
        model = relation.related_model
        if model is Article:
            story = ""
        else:
            (story,) = [f.name for f in model._meta.concrete_fields if f.related_model is Article]
            story += "__"
        protections.append((model, relation.field.name, story))
    return protections


def image_uses_by_story(images):
    """Who uses these library images (ids or a queryset), in one query: a
    list of ``(image id, article id, headline, how)``, how being “hero image”,
    “photo in the body”, “gallery” or “live entry”; by image, then by
    headline, a story's uses in that order."""
    parts, names = [], {}  # names: what a row's "how" column holds, and its wording
    for model, field, story in image_protections():
        if model is BodyImageUse:
            how = "kind"
            names.update(BodyImageUse.Kind.choices)
        else:
            name = str(
                model._meta.get_field(field).verbose_name
                if model is Article
                else model._meta.verbose_name
            )
            how = Value(name)
            names[name] = name
        parts.append(
            model.objects.filter(**{f"{field}__in": images})
            .order_by()
            .values_list(field, f"{story}pk", f"{story}headline", how)
        )
    rows = parts[0].union(*parts[1:])  # UNION: several live entries of one story count once
    order = list(names)
    rows = sorted(rows, key=lambda row: (row[0], row[2], row[1], order.index(row[3])))
    return [(image, article, headline, names[how]) for image, article, headline, how in rows]


class Image(models.Model):
    """A photo in the library: uploaded once, with its words and its focal point,
    and used as the hero or inside the body of any number of stories.

    Its resized copies (``srcset``) and its 16:9, 4:3 and square crops are made
    on save and belong to the image, so every story that uses it shares them."""

    file = models.ImageField(
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        validators=[validate_upload_size, validate_image_content],
        help_text="JPEG, PNG, WebP or AVIF, at least 1200 pixels wide for sharp results.",
    )
    alt_text = models.CharField(
        max_length=300,
        help_text="What the image shows, for readers who cannot see it.",
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(
        max_length=120, blank=True, help_text="Photographer or agency, e.g. “Reuters”."
    )
    source = models.CharField(
        "licence or source",
        max_length=200,
        blank=True,
        help_text="Where the picture comes from and on what terms, e.g. “Agency, "
        "licensed 2026” or “Handout”. For the desk; readers see the credit.",
    )
    focus_x = models.PositiveSmallIntegerField(
        "focal point across",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="Where the subject (a face, say) is, in percent of the width from the "
        "left edge: 0 is the left edge, 50 the middle, 100 the right edge. The 16:9, 4:3 "
        "and square crops shown by search engines and social networks are centred on it.",
    )
    focus_y = models.PositiveSmallIntegerField(
        "focal point down",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="The same, in percent of the height from the top edge: 0 is the top, "
        "50 the middle, 100 the bottom. For a portrait, the eyes are often near 30.",
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    renditions = models.JSONField(default=list, blank=True, editable=False)
    # The crops in CROP_RATIOS and the focal point they were made for (images.make_crops).
    crops = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        credit = f" ({self.credit})" if self.credit else ""
        return f"{self.alt_text}{credit}"

    def save(self, *args, **kwargs):
        new_file = self.file and not getattr(self.file, "_committed", True)
        super().save(*args, **kwargs)
        focus = [self.focus_x, self.focus_y]
        if new_file or self.crops.get("focus") != focus:
            if new_file:
                delete_renditions(self.renditions)
                self.renditions = make_renditions(self.file)
            delete_crops(self.crops)
            self.crops = make_crops(self.file, focus)
            type(self).objects.filter(pk=self.pk).update(
                renditions=self.renditions, crops=self.crops
            )

    def delete(self, *args, **kwargs):
        """Deleting an image a story uses (as its hero, in its body, in a live
        entry) raises ``ProtectedError`` before anything here runs: each use
        is a row whose foreign key protects it (``image_protections``). An
        unused image takes its file and copies with it."""
        result = super().delete(*args, **kwargs)
        delete_renditions(self.renditions)
        delete_crops(self.crops)
        self.file.delete(save=False)
        return result

    def srcset(self):
        """``srcset`` candidates: the renditions, then the original at its own width."""
        candidates = [f"{default_storage.url(r['name'])} {r['width']}w" for r in self.renditions]
        if self.width:
            candidates.append(f"{self.file.url} {self.width}w")
        return ", ".join(candidates)

    def card_url(self):
        """A small rendition for listing cards and thumbnails (the original when it is small)."""
        for rendition in self.renditions:
            if rendition["width"] >= 480:
                return default_storage.url(rendition["name"])
        return self.file.url

    def share_images(self):
        """The 16:9, 4:3 and square crops, as ``Article.share_images`` gives them;
        the image itself while its crops are not made yet."""
        crops = [self.crops[label] for label in CROP_RATIOS if label in self.crops]
        if not crops:
            return [
                {
                    "url": self.file.url,
                    "width": self.width,
                    "height": self.height,
                    "type": "",
                    "alt": self.alt_text,
                    "bytes": None,
                }
            ]
        return [
            {
                "url": default_storage.url(crop["name"]),
                "width": crop["width"],
                "height": crop["height"],
                "type": "image/jpeg",
                "alt": self.alt_text,
                "bytes": crop["bytes"],
            }
            for crop in crops
        ]


def split_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def validate_link_lines(text):
    """Each non-empty line is an http(s) address."""
    check = URLValidator(schemes=["http", "https"])
    for line in split_lines(text):
        try:
            check(line)
        except ValidationError:
            raise ValidationError(f"“{line}” is not a web address (https://…).") from None


class Contributor(models.Model):
    """A person credited on stories: staff with an account, or a guest without one."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=120, unique=True, help_text="The author page's address: /authors/<slug>/."
    )
    job_title = models.CharField(
        max_length=120, blank=True, help_text="As printed on the author page, e.g. “Sports editor”."
    )
    bio = models.TextField(
        blank=True, max_length=1000, help_text="Two or three plain sentences for the author page."
    )
    photo = models.ImageField(
        upload_to="contributors/",
        blank=True,
        validators=[validate_upload_size, validate_image_content],
        help_text="Optional. A square portrait, at least 240 pixels wide.",
    )
    same_as = models.TextField(
        "links",
        blank=True,
        validators=[validate_link_lines],
        help_text="The person's pages elsewhere (a social profile, a personal site), one "
        "address a line: shown on the author page and given to search engines.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributor",
        help_text="The person's desk account, if any. Guest contributors have none.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    def links(self):
        return split_lines(self.same_as)


class Topic(models.Model):
    """A subject stories share across categories ("Champions League", "Transfers")."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The topic's address: /topics/<slug>/."
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences shown at the top of the topic page."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and the publication time has come.

        Scheduling is decided here, at query time, so nothing has to run to make
        a scheduled article appear.
        """
        now = timezone.now()
        return self.filter(
            not_ended("expires_at", now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
            taken_down_at__isnull=True,
        )

    def taken_down(self):
        return self.filter(taken_down_at__isnull=False)

    def most_read(self, hours, limit=5):
        """The most viewed of these articles over the last ``hours`` hours, in one query."""
        since = timezone.now() - timedelta(hours=hours)
        return (
            self.filter(view_tallies__hour__gte=since)
            .annotate(recent_views=models.Sum("view_tallies__views"))
            .order_by("-recent_views", "-published_at")
            .select_related("category", "hero")
            .defer("body", "body_text")[:limit]
        )

    def related_to(self, article, limit=4):
        """Recent articles sharing the most topics with the article, then recent
        ones of its category; the article itself excluded. One query."""
        topic_ids = [topic.pk for topic in article.topics.all()]
        others = (
            self.exclude(pk=article.pk)
            .select_related("category", "hero")
            .defer("body", "body_text")
        )
        if not topic_ids:
            return others.filter(category_id=article.category_id)[:limit]
        shared = (
            Article.topics.through.objects.filter(article_id=OuterRef("pk"), topic_id__in=topic_ids)
            .order_by()
            .values("article_id")
            .annotate(count=models.Count("*"))
            .values("count")
        )
        return (
            others.annotate(shared_topics=Coalesce(Subquery(shared), 0))
            .filter(Q(category_id=article.category_id) | Q(shared_topics__gt=0))
            .order_by("-shared_topics", "-published_at", "-pk")[:limit]
        )

    def credited_to(self, contributor_slug):
        """The articles that credit the contributor, each once whatever their roles."""
        credits = ArticleContributor.objects.filter(contributor__slug=contributor_slug)
        return self.filter(pk__in=credits.values("article_id"))

    def tagged(self, topic_slug):
        return self.filter(pk__in=Topic.objects.filter(slug=topic_slug).values("articles"))

    def scheduled(self):
        return self.filter(
            status=Article.Status.PUBLISHED,
            published_at__gt=timezone.now(),
            taken_down_at__isnull=True,
        )

    def expired(self):
        """Published stories whose expiry has passed: readers no longer see them."""
        now = timezone.now()
        return self.filter(
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
            expires_at__lte=now,
            taken_down_at__isnull=True,
        )

    def expiring(self):
        """Published articles with an expiry still to come: each leaves the site by itself."""
        return self.published().filter(expires_at__isnull=False)

    def in_desk_state(self, state):
        """The articles in one of ``Article.DESK_STATES``: scheduled and published
        are derived from ``published()``, the rest are the desk's own stages."""
        derived = {
            "published": self.published,
            "scheduled": self.scheduled,
            "expired": self.expired,
            "taken_down": self.taken_down,
        }
        if state in derived:
            return derived[state]()
        return self.filter(
            status=Article.Status.DRAFT, workflow_state=state, taken_down_at__isnull=True
        )

    def awaiting_review_by(self, user):
        """Stories submitted for review that ``user`` did not write."""
        return self.in_desk_state(Article.Stage.IN_REVIEW).exclude(author=user)

    def for_page(self):
        """What the article page shows: category, credits, hero image, sources, topics."""
        return (
            self.select_related("category", "author", "hero")
            .prefetch_related("sources", "topics", credits_prefetch())
            .defer("body_text")
        )

    def for_listing(self):
        """What an article card needs: its category in the same query, its
        credits in one more for the whole list."""
        return (
            self.select_related("category", "author", "hero")
            .prefetch_related(credits_prefetch())
            .defer("body", "body_text")
        )

    def pinned(self, category=None):
        """These articles as pinned to a front page (the home page, or
        ``category``'s) by live pins, in slot order, each with its ``pin_slot``."""
        pins = Pin.objects.live().filter(category=category)
        return (
            self.filter(pk__in=pins.values("article_id"))
            .annotate(pin_slot=pins.slot_of(OuterRef("pk")))
            .order_by("pin_slot")
        )

    def front_page(self, latest):
        """The home page's lead story and ``latest`` others, in one query: the
        live pins in slot order first, then the newest stories not pinned.
        Returns ``(lead, [latest...])``.
        """
        pins = Pin.objects.live().filter(category=None)
        pinned = pins.values("article_id")
        newest = self.exclude(pk__in=pinned).order_by("-published_at", "-pk").values("pk")
        rows = list(
            self.filter(Q(pk__in=pinned) | Q(pk__in=newest[: latest + 1]))
            .annotate(pin_slot=pins.slot_of(OuterRef("pk")))
            .order_by(F("pin_slot").asc(nulls_last=True), "-published_at", "-pk")[: latest + 1]
        )
        return (rows[0] if rows else None), rows[1:]

    def latest_per_category(self, per_category, excluding=()):
        """The newest ``per_category`` articles of every category, in one query,
        leaving out ``excluding`` (primary keys of stories shown already).

        The ranking picks primary keys only; whatever else is asked of the result
        (``for_listing()``'s comment counts) is computed for the few rows picked,
        not for every article the window function has to rank.
        """
        ranked = (
            self.exclude(pk__in=list(excluding))
            .order_by()
            .annotate(
                category_rank=Window(
                    RowNumber(),
                    partition_by=F("category_id"),
                    order_by=[F("published_at").desc(), F("pk").desc()],
                )
            )
            .filter(category_rank__lte=per_category)
            .values("pk")
        )
        return self.filter(pk__in=ranked).order_by(
            "category__position", "category__name", "-published_at", "-pk"
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Kind(models.TextChoices):
        NEWS = "news", "News"
        OPINION = "opinion", "Opinion"
        ANALYSIS = "analysis", "Analysis"
        REVIEW = "review", "Review"
        SPONSORED = "sponsored", "Sponsored"

    class LiveStatus(models.TextChoices):
        """Live coverage (``live``): entries posted as events happen, polled for by
        readers with the page open while it is live."""

        NOT_LIVE = "", "Not live coverage"
        LIVE = "live", "Live now"
        ENDED = "ended", "Ended"

    class Stage(models.TextChoices):
        """Where a story is on the desk (``articles.workflow`` moves it). Whether
        readers see it is still ``status`` and ``published_at`` alone."""

        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    # What the desk lists and filters by, in this order.
    DESK_STATES = {
        "draft": "Draft",
        "in_review": "In review",
        "changes_requested": "Changes requested",
        "scheduled": "Scheduled",
        "published": "Published",
        "expired": "Expired",
        "unpublished": "Unpublished",
        "taken_down": "Taken down",
    }

    headline = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The article's address: /articles/<slug>/. Keep it once published, "
        "or links to the article break.",
    )
    # Indexed by the composite article_category_published index, which leads with it.
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", db_index=False
    )
    contributors = models.ManyToManyField(
        Contributor, through="ArticleContributor", related_name="articles", blank=True
    )
    topics = models.ManyToManyField(
        Topic,
        related_name="articles",
        blank=True,
        help_text="What the story is about, across categories: each topic has its page "
        "and feed, and related stories share topics first.",
    )
    kind = models.CharField(
        "type",
        max_length=10,
        choices=Kind.choices,
        default=Kind.NEWS,
        help_text="Shown above the headline and in lists (except News), and told to "
        "search engines. Sponsored stories say who paid and stay out of Google News.",
    )
    live_status = models.CharField(
        "live coverage",
        max_length=5,
        choices=LiveStatus.choices,
        default=LiveStatus.NOT_LIVE,
        blank=True,
        help_text="Live: the page shows its entries newest first and brings new ones to "
        "readers while open. Ended: the page says so and stops asking.",
    )
    coverage_started_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the coverage goes live, unless given."
    )
    coverage_ended_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the coverage ends, unless given."
    )
    sponsor_name = models.CharField(
        max_length=120, blank=True, help_text="Sponsored stories: “Sponsored by …”."
    )
    sponsor_url = models.URLField("sponsor's address", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="The author's account, when the author has one.",
    )
    standfirst = models.TextField(
        max_length=500,
        blank=True,
        help_text="The summary under the headline; also used in lists, feeds and search results.",
    )
    body = ProseEditorField(
        extensions=BODY_EXTENSIONS,
        # nh3 with the allowlist the extensions make, then the media figures
        # rewritten into their one stored form (the list runs last to first).
        sanitize=[canonical_media, create_sanitizer],
        blank=True,
        help_text="Headings, lists, quotes, pull quotes, tables with a caption, links, "
        "photos and galleries from the image library, and embedded videos or posts (paste "
        "the link with the Embed button). Pasted styles, scripts and frames are removed on save.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Readers see an article only when it is Published and its publication time has come.",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A time in the future schedules the article: it appears by itself then. "
        "Left empty, publishing sets it to now.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    substantive_update_at = models.DateTimeField(
        "substantively updated at",
        null=True,
        blank=True,
        editable=False,
        help_text="When readers were last told of a substantive update: set by ticking "
        "“Substantive update” on the form or by publishing a correction or update note. "
        "A typo fix leaves it alone.",
    )
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Optional. At this time the story leaves the site by itself (a rights "
        "window, an offer that ends): its page, lists, feeds and search drop it.",
    )
    taken_down_at = models.DateTimeField(null=True, blank=True, editable=False)
    takedown_reason = models.CharField(
        "takedown reason",
        max_length=9,
        blank=True,
        choices=[("legal", "Legal"), ("editorial", "Editorial")],
        help_text="Why the story came down (set by “Take down”; recorded in the history).",
    )
    takedown_notice = models.TextField(
        "takedown notice",
        max_length=600,
        blank=True,
        help_text="What readers who follow a link to the story read instead, under "
        "“This story has been removed”. Plain text, one or two sentences.",
    )
    comments_open = models.BooleanField(
        default=True,
        help_text="Untick to close the comment thread: readers can read it but not add to it.",
    )
    comment_moderation = models.CharField(
        max_length=4,
        blank=True,
        choices=[("post", "Post-moderation"), ("pre", "Pre-moderation")],
        help_text="Post-moderation shows comments at once unless a spam rule holds them; "
        "pre-moderation holds every comment until an editor approves it. "
        "Empty: the site's setting.",
    )
    workflow_state = models.CharField(
        "desk stage",
        max_length=17,
        choices=Stage.choices,
        default=Stage.DRAFT,
        editable=False,
    )
    review_note = models.TextField(
        "editor's note",
        blank=True,
        editable=False,
        help_text="What the editor asked to change, shown to the reporter until the next submission.",
    )
    view_count = models.PositiveBigIntegerField(default=0, editable=False)
    # Kept by the comments app, in the same transaction as the change that moves it.
    comment_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Comments readers can see."
    )
    hero = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hero_of",
        verbose_name="hero image",
        help_text="Optional. Search the image library by alt text, caption or credit; "
        "add a photo to the library with the + button.",
    )
    # Derived from the body on save: what search indexes and quotes in its snippets.
    body_text = models.TextField(blank=True, default="", editable=False)
    # Headline, standfirst and body as a weighted text-search vector, kept on save so
    # PostgreSQL searches and ranks from an index rather than parsing every body.
    search_document = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    # Kept up to date in the database by atomic updates, never by saving an instance.
    COUNTERS = ("view_count", "comment_count")

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        permissions = [
            ("publish_article", "Can publish, schedule, approve, send back and unpublish articles")
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            models.Index(
                fields=["category", "status", "-published_at"], name="article_category_published"
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        # The admin form sanitizes through the field's clean(); this covers every
        # other way in (shell, scripts, fixtures), so nothing unsanitized is stored.
        self.body = self._meta.get_field("body").sanitize(self.body or "")
        self.body_text = plain_text(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.stamp_coverage()
        if not self._state.adding and kwargs.get("update_fields") is None and not args:
            # The counters move in the database while an editor has the article
            # open; saving the edit must not write back the numbers it loaded.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.COUNTERS
            ]
        adding = self._state.adding
        saved_fields = kwargs.get("update_fields")
        with transaction.atomic():
            if not adding and {"status", "published_at"} & set(saved_fields or ()):
                # This save may take the story out of readers' view: the notes they
                # could see until now are recorded as seen, so they stay undeletable.
                ArticleNote.objects.filter(article_id=self.pk).stamp_seen_public()
            super().save(*args, **kwargs)
            if saved_fields is None or "body" in saved_fields:
                self.record_body_image_uses(adding)
        if connection.vendor == "postgresql":
            type(self).objects.filter(pk=self.pk).update(search_document=search_vector())

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def stamp_coverage(self, now=None):
        """Live coverage starts when it goes live and ends when it is ended,
        unless the editor gave the times; going live again reopens it."""
        now = now or timezone.now()
        if self.live_status == self.LiveStatus.NOT_LIVE:
            return
        if self.coverage_started_at is None:
            self.coverage_started_at = now
        if self.live_status == self.LiveStatus.LIVE:
            self.coverage_ended_at = None
        elif self.coverage_ended_at is None:
            self.coverage_ended_at = now

    def record_body_image_uses(self, adding=False):
        """Bring ``BodyImageUse`` in line with the body: a row for each library
        image it shows (that exists), none for the others. Only what changed is
        written. In the save's transaction: a row that cannot be written (its
        image deleted meanwhile) fails the save rather than leaving the body's
        other images unprotected."""
        shown = image_uses(self.body)
        ids = {pk for pk, _ in shown}
        existing = set(Image.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else ()
        wanted = {(pk, kind) for pk, kind in shown if pk in existing}
        recorded = set() if adding else set(self.body_image_uses.values_list("image_id", "kind"))
        if stale := recorded - wanted:
            gone = Q()
            for pk, kind in stale:
                gone |= Q(image_id=pk, kind=kind)
            self.body_image_uses.filter(gone).delete()
        BodyImageUse.objects.bulk_create(
            BodyImageUse(article=self, image_id=pk, kind=kind) for pk, kind in wanted - recorded
        )

    @property
    def is_live_coverage(self):
        return self.live_status != self.LiveStatus.NOT_LIVE

    @property
    def is_live_now(self):
        return self.live_status == self.LiveStatus.LIVE

    @cached_property
    def body_images(self):
        """The library images the body shows, by id, in one query (none without any)."""
        ids = referenced_images(self.body)
        return Image.objects.in_bulk(ids) if ids else {}

    @cached_property
    def reader_body(self):
        """The body as readers see it (``articles.body.reader_html``), a sponsored
        story's links marked so (``body_html``)."""
        return reader_html(self.body_html, self.body_images)

    def body_images_in_order(self):
        """The body's library images in the order the body shows them, once each."""
        images = self.body_images
        return [images[pk] for pk in referenced_images(self.body) if pk in images]

    @property
    def modified_at(self):
        """The one public "modified" time (JSON-LD, feeds, sitemap): the last
        substantive update, or the publication when there was none or it came
        first (a story updated while scheduled was modified when it went out)."""
        if self.substantive_update_at and self.published_at:
            return max(self.substantive_update_at, self.published_at)
        return self.substantive_update_at or self.published_at

    @property
    def shows_updated(self):
        """Whether the article line says "Updated …"."""
        return bool(
            self.substantive_update_at
            and self.published_at
            and self.substantive_update_at > self.published_at
        )

    @cached_property
    def public_notes(self):
        """The notes readers see, oldest first: kept in the shared cache under
        the site version (a note's save moves it), so only the first page
        render after a change queries them, and the comment views, which load
        the same cached article, never do."""
        from .caching import article_notes

        now = timezone.now()
        return [note for note in article_notes(self) if note.published_at <= now]

    def notes_above(self):
        return [n for n in self.public_notes if n.placement == ArticleNote.Placement.ABOVE]

    def notes_below(self):
        return [n for n in self.public_notes if n.placement == ArticleNote.Placement.BELOW]

    def clean(self):
        if self.expires_at and self.published_at and self.expires_at <= self.published_at:
            raise ValidationError(
                {"expires_at": "The expiry must come after the publication time."}
            )
        if self.kind == self.Kind.SPONSORED and not self.sponsor_name.strip():
            raise ValidationError({"sponsor_name": "Name who paid for a sponsored story."})

    def share_images(self):
        """The images search engines and social networks are given, most wanted
        shape first: ``[{"url", "width", "height", "type", "alt", "bytes"}, ...]``.

        The hero's 16:9, 4:3 and square crops; the hero itself while its crops
        are not made yet; the generated social card when there is no hero.
        """
        if self.hero_id:
            return self.hero.share_images()
        width, height = social_cards.SIZE
        return [
            {
                "url": social_cards.url(self),
                "width": width,
                "height": height,
                "type": "image/png",
                "alt": self.headline,
                "bytes": None,
            }
        ]

    def share_image(self):
        """The one image a social card or feed shows: the first of ``share_images``."""
        return self.share_images()[0]

    def is_published(self):
        """The same rule as ``ArticleQuerySet.published()``, for one article in hand."""
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
            and self.taken_down_at is None
        )

    is_published.boolean = True
    is_published.short_description = "Live"

    def credited(self, role):
        """The contributors credited in ``role``, in order (from ``credits_prefetch``)."""
        return [credit.contributor for credit in self.credits.all() if credit.role == role]

    @property
    def bylined(self):
        return self.credited(ArticleContributor.Role.AUTHOR)

    WORDS_PER_MINUTE = 230  # the desk's reading-time rule; static/js/desk-form.js reads it

    def word_count(self):
        return len(self.body_text.split())

    def length_words(self):
        """What the form says under the body: "412 words · about 2 min to read"."""
        words = self.word_count()
        minutes = max(1, round(words / self.WORDS_PER_MINUTE))
        return f"{words} word{'s' if words != 1 else ''} · about {minutes} min to read"

    def desk_state(self):
        """The key in ``DESK_STATES`` this article is in now."""
        if self.is_taken_down:
            return "taken_down"
        if self.status == self.Status.PUBLISHED:
            if self.is_published():
                return "published"
            return "scheduled" if self.published_at > timezone.now() else "expired"
        if self.workflow_state == self.Stage.PUBLISHED:
            return "draft"  # taken back to draft by hand, not through the desk
        return self.workflow_state

    def desk_state_words(self):
        """The state as the desk says it: "Scheduled for 26 Feb 14:00"."""
        state = self.desk_state()
        if state == "scheduled":
            return f"Scheduled for {dateformat.format(timezone.localtime(self.published_at), 'j M H:i')}"
        return self.DESK_STATES[state]

    @property
    def byline_name(self):
        """ "A and B": the authors, or the linked account's name when none is credited."""
        if names := [contributor.name for contributor in self.bylined]:
            return join_names(names)
        if self.author_id:
            return self.author.get_full_name() or self.author.get_username()
        return ""

    @property
    def is_taken_down(self):
        return self.taken_down_at is not None

    def take_down(self, reason, notice):
        """Withdraw the story for good: its address answers 410 Gone with
        ``notice``, and every list, feed and cached page drops it on save."""
        self.taken_down_at = timezone.now()
        self.takedown_reason = reason
        self.takedown_notice = notice

    def other_credits(self):
        """``[(label, [contributors])]`` for the roles after the byline."""
        return [
            (role.label, people)
            for role in ArticleContributor.Role
            if role != ArticleContributor.Role.AUTHOR and (people := self.credited(role))
        ]

    @property
    def is_sponsored(self):
        return self.kind == self.Kind.SPONSORED

    @property
    def shows_kind(self):
        """News is the default and goes unlabelled; every other type is labelled."""
        return self.kind != self.Kind.NEWS

    @cached_property
    def body_html(self):
        """The body as readers get it: a sponsored story's links say so (rel="sponsored")."""
        if not self.is_sponsored:
            return self.body
        return SPONSORED_LINK.sub(_mark_sponsored, self.body)

    def publish(self, when=None):
        self.status = self.Status.PUBLISHED
        if self.published_at is None or when is not None:
            self.published_at = when or timezone.now()


class SearchEntry(models.Model):
    """An article in SQLite's full-text index, the FTS5 table that migration
    0015 makes and SQL triggers keep (articles.search): joined to articles
    to search them. PostgreSQL has no such table; it searches
    ``Article.search_document``."""

    article = models.OneToOneField(
        Article,
        primary_key=True,
        db_column="id",  # the index's unindexed copy of the rowid: see articles.search
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    document = FullTextField(db_column="article_fts")

    class Meta:
        managed = False
        db_table = "article_fts"

    def __str__(self):
        return f"search entry of article {self.article_id}"


class Source(models.Model):
    """A citation shown under the article ("Sources: ESPN, UEFA.com")."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(max_length=120, help_text="As printed, e.g. “UEFA.com”.")
    url = models.URLField(
        "URL", max_length=500, blank=True, help_text="Optional: the name links here when given."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class BodyImageUse(models.Model):
    """A library image an article's body shows, as a photo or in a gallery.

    The body stores only the image's id (``articles.body``); this row, kept by
    ``Article.save``, is what protects the image from deletion like a hero,
    and what the library's “Used by” and “use” filter read. A body changed
    with ``update()`` or raw SQL is not recorded."""

    class Kind(models.TextChoices):
        PHOTO = "photo", "photo in the body"
        GALLERY = "gallery", "gallery"

    # The unique constraint's index starts with the article.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="body_image_uses", db_index=False
    )
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="body_uses")
    kind = models.CharField(max_length=7, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "image", "kind"], name="body_image_use_once")
        ]
        verbose_name = "image in the body"
        verbose_name_plural = "images in the body"

    def __str__(self):
        return f"Library image {self.image_id}, {self.get_kind_display()}"


class ArticleContributor(models.Model):
    """A contributor credited on an article, in a role, in order."""

    class Role(models.TextChoices):
        AUTHOR = "author", "By"
        REPORTING = "reporting", "Additional reporting by"
        PHOTOS = "photos", "Photos by"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="credits")
    contributor = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="credits")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AUTHOR)
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "contributor", "role"], name="credit_once_per_role"
            )
        ]
        indexes = [models.Index(fields=["contributor", "article"], name="credit_contributor")]
        verbose_name = "credit"

    def __str__(self):
        return f"{self.get_role_display()} {self.contributor}"


def credits_prefetch():
    """An article list's credits with their contributors: one query for the list."""
    return Prefetch("credits", queryset=ArticleContributor.objects.select_related("contributor"))


# An anchor's opening tag in sanitized body HTML, and a rel attribute in it.
SPONSORED_LINK = re.compile(r"<a\b[^>]*>")
REL_ATTRIBUTE = re.compile(r'\srel="([^"]*)"')


def _mark_sponsored(match):
    tag = match.group(0)
    rel = REL_ATTRIBUTE.search(tag)
    if rel is None:
        return f'<a rel="sponsored"{tag[2:]}'
    words = rel.group(1).split()
    if "sponsored" in words:
        return tag
    return f"{tag[: rel.start(1)]}{' '.join(['sponsored', *words])}{tag[rel.end(1) :]}"


class ReaderSalt(models.Model):
    """The random salt for one day's reader hashes; old days are deleted, so
    yesterday's hashes can no longer be tied to an address."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self):
        return f"salt for {self.day}"


class ViewTally(models.Model):
    """Counted views of an article in one hour: what "most read" lists are made from.

    Written in the same way as the total, by an atomic upsert per counted view.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="view_tallies", db_index=False
    )  # the unique (article, hour) index serves lookups by article
    hour = models.DateTimeField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "hour"], name="view_tally_once_per_hour")
        ]
        indexes = [models.Index(fields=["hour", "article"], name="view_tally_recent")]

    def __str__(self):
        return f"{self.views} views of article {self.article_id} at {self.hour:%Y-%m-%d %H}h"


class FlushedViewBatch(models.Model):
    """A batch of Redis-buffered views already added to the database.

    Written in the same transaction as the counts, so a flush that died after
    committing is not applied twice (see ``articles.counting.redis_store``).
    ``manage.py purge_view_marks`` deletes rows older than a week.
    """

    batch_id = models.CharField(max_length=32, unique=True)
    flushed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.batch_id


class ReaderView(models.Model):
    """When a reader (an anonymous, salted hash) last had a view counted on an article."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the unique (article, reader) index serves lookups by article
    reader = models.CharField(max_length=64)
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "reader"], name="reader_view_once"),
        ]
        indexes = [models.Index(fields=["counted_at"], name="reader_view_counted_at")]

    def __str__(self):
        return f"view of article {self.article_id} at {self.counted_at:%Y-%m-%d %H:%M}"


class AddressViews(models.Model):
    """How many views from one network address (an anonymous, salted hash) have
    counted on an article since ``started_at``: what caps one client's views
    (``articles.counting``). ``manage.py purge_view_marks`` deletes past windows."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the unique (article, address) index serves lookups by article
    address = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "address"], name="address_views_once"),
        ]
        indexes = [models.Index(fields=["started_at"], name="address_views_started_at")]
        verbose_name_plural = "address views"

    def __str__(self):
        return f"{self.views} views of article {self.article_id} from one address"


class UsedFormToken(models.Model):
    """The nonce of a signed form token that has been used to save a form
    (``articles.form_tokens``): the same token is refused from then on."""

    nonce = models.CharField(max_length=32, unique=True)
    used_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"form token used at {self.used_at:%Y-%m-%d %H:%M}"


class PublicNoteDeletion(Exception):
    """A note readers have seen may be retracted, never deleted."""


class ArticleNoteQuerySet(models.QuerySet):
    def public(self):
        """Notes readers can see: due, on an article readers can see."""
        return self.filter(
            published_at__lte=timezone.now(),
            article__in=Article.objects.published(),
        )

    def stamp_seen_public(self):
        """Record that the notes readers can see now have been public (one query)."""
        return (
            self.public().filter(seen_public_at__isnull=True).update(seen_public_at=timezone.now())
        )

    def corrections(self):
        """The public corrections and clarifications site-wide (the corrections
        page and feed), newest first, with their articles. Updates add news
        rather than put the record right, so they are not listed."""
        return (
            self.public()
            .filter(kind__in=[ArticleNote.Kind.CORRECTION, ArticleNote.Kind.CLARIFICATION])
            .select_related("article")
            .defer("article__body", "article__body_text", "article__search_document")
            .order_by("-published_at", "-pk")
        )


class ArticleNote(models.Model):
    """A correction, clarification or update shown with an article. Once public
    it is never deleted: it is retracted, with a reason readers see."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"

    class Placement(models.TextChoices):
        ABOVE = "above", "Above the body"
        BELOW = "below", "Below the body"

    # PROTECT: deleting an article with notes is refused with the admin's own
    # "protected objects" page, so no note disappears with its article.
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=13, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(help_text="Plain text: what was wrong and what is right now.")
    placement = models.CharField(max_length=5, choices=Placement.choices, default=Placement.ABOVE)
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="Shown with the note. Not in the future: a note is public once saved.",
    )
    retracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    seen_public_at = models.DateTimeField(
        "seen public at",
        null=True,
        blank=True,
        editable=False,
        help_text="When the site first found the note public: on saving it, or its story "
        "before the story left readers' view. Once set it is never cleared.",
    )
    retraction_note = models.TextField(
        "retraction reason",
        blank=True,
        help_text="Filled in, the note is retracted on save: readers see it struck "
        "through with “This … was retracted on …” and this reason. It cannot be deleted.",
    )

    objects = ArticleNoteQuerySet.as_manager()

    class Meta:
        ordering = ["published_at", "pk"]
        indexes = [models.Index(fields=["-published_at"], name="articlenote_published")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.article}"

    def save(self, *args, **kwargs):
        if self.retraction_note.strip() and self.retracted_at is None:
            self.retracted_at = timezone.now()
        if self.seen_public_at is None and self.readers_see_it():
            self.seen_public_at = timezone.now()
        super().save(*args, **kwargs)
        if self.moves_updated_time:
            # A queryset update: the article's own edit time stays a typo fix's.
            Article.objects.filter(pk=self.article_id).filter(
                Q(substantive_update_at__isnull=True)
                | Q(substantive_update_at__lt=self.published_at)
            ).update(substantive_update_at=self.published_at)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#note-{self.pk}"

    def clean(self):
        if self.published_at and self.published_at > timezone.now() + timedelta(minutes=1):
            raise ValidationError({"published_at": "A note cannot be dated in the future."})

    def is_public(self):
        return self.pk is not None and self.readers_see_it()

    def readers_see_it(self):
        """Whether readers see the note as it stands, saved or about to be."""
        return self.published_at <= timezone.now() and self.article.is_published()

    def has_been_public(self):
        """Whether readers may have seen the note, now or at any time before:
        then it is never deleted, only retracted, whatever its story's state.

        Stamped (``seen_public_at``) when saved public, and when its story is
        saved while public (taking it back to draft, moving its time ahead).
        A story that went live or expired by the clock alone was saved at
        neither moment, so one published with its time come counts too: a
        note dated before now may have been seen there.
        """
        if self.pk is None:
            return False
        if self.seen_public_at is not None:
            return True
        article, now = self.article, timezone.now()
        return (
            self.published_at <= now
            and article.status == Article.Status.PUBLISHED
            and article.published_at is not None
            and article.published_at <= now
        )

    @property
    def is_retracted(self):
        return self.retracted_at is not None

    @property
    def moves_updated_time(self):
        """Corrections and updates are substantive; a clarification is not."""
        return self.kind in (self.Kind.CORRECTION, self.Kind.UPDATE) and not self.is_retracted


class OneRowSettings(models.Model):
    """Settings the newsroom edits in the admin, kept as one row (id 1).

    Saving always writes that row; ``load()`` reads it, or gives the defaults
    (writing nothing) until an editor first saves. Each subclass adds a check
    constraint that keeps the table to that row."""

    SINGLETON = 1

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        return cls.objects.filter(pk=cls.SINGLETON).first() or cls(pk=cls.SINGLETON)


class EditorialSettings(OneRowSettings):
    """What the newsroom sets for the site as a whole. Read through
    ``articles.context_processors`` (cached under the site version, which saving
    moves on)."""

    corrections_policy_url = models.URLField(
        "corrections policy page",
        blank=True,
        help_text="The address of the page that explains how corrections are made. "
        "Linked from the corrections page and under every correction. Left empty, "
        "the site's own Corrections policy page (under Pages) is linked.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "editorial settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="editorial_settings_one_row")
        ]

    def __str__(self):
        return "Editorial settings"


class PinQuerySet(models.QuerySet):
    def live(self):
        """Pins in force: expiry is decided here, at query time, so an expired
        pin simply stops matching and nothing has to run to remove it."""
        return self.filter(not_ended("expires_at", timezone.now()))

    def slot_of(self, article):
        """The slot of ``article`` (an ``OuterRef``) among these pins, as a subquery."""
        return Subquery(self.filter(article=article).order_by("slot").values("slot")[:1])


class Pin(models.Model):
    """A story an editor placed in a numbered slot of a front page: the home
    page (no category) or a category's page. Slot 1 leads; the stories not
    pinned fill the rest by recency."""

    slot = models.PositiveSmallIntegerField(
        help_text="1 is the lead; pinned stories come first, in slot order."
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="pins",
        help_text="Only published stories show; a draft pinned ahead of time appears "
        "when it goes live.",
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pins",
        help_text="Empty: the home page.",
    )
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Optional. The pin lets go by itself at this time; the story stays published.",
    )

    objects = PinQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "slot"]
        verbose_name = "front-page pin"
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(category__isnull=True), name="pin_home_slot_once"
            ),
            models.UniqueConstraint(fields=["category", "slot"], name="pin_category_slot_once"),
        ]

    def __str__(self):
        return f"{self.category or 'Home page'}, slot {self.slot}: {self.article}"

    def clean(self):
        # A section's page lists its own stories; a pin from elsewhere would lead it.
        if self.category_id and self.article_id and self.article.category_id != self.category_id:
            raise ValidationError(
                {"article": f"Only a story in {self.category} can be pinned on its page."}
            )


def validate_link(value):
    """An address on this site ("/articles/…") or a full http(s) address."""
    if value.startswith("/") and not value.startswith("//"):
        return
    URLValidator(schemes=["http", "https"])(value)


class BannerQuerySet(models.QuerySet):
    def live(self):
        """Banners showing now: started and not yet ended, decided at query time."""
        now = timezone.now()
        return self.filter(not_ended("ends_at", now), starts_at__lte=now)


class Banner(models.Model):
    """A site-wide strip above every page (breaking news) while it is live."""

    class Level(models.TextChoices):
        BREAKING = "breaking", "Breaking news"
        DEVELOPING = "developing", "Developing story"
        INFO = "info", "Notice"

    text = models.CharField(
        max_length=200, help_text="One line, e.g. “Polls have closed in the general election”."
    )
    link = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_link],
        help_text="Optional: the story or live coverage the banner leads to, as an "
        "address on this site (“/articles/…”) or a full https:// address.",
    )
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.BREAKING)
    starts_at = models.DateTimeField(
        default=timezone.now, help_text="The banner appears by itself at this time."
    )
    ends_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The banner disappears by itself at this time. Empty: until you end it.",
    )

    objects = BannerQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self):
        return self.text

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must come after the start."})

    def is_live(self):
        now = timezone.now()
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)

    is_live.boolean = True
    is_live.short_description = "Showing"


class PreviewLinkQuerySet(models.QuerySet):
    def usable(self):
        """Links that still open their draft: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(models.Model):
    """A signed link that shows a draft to someone without an account. The
    address carries the nonce signed with the site's key; this row is what
    lets an editor revoke it before it expires."""

    DEFAULT_LIFETIME = timedelta(days=7)

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    nonce = models.CharField(max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"preview link for {self.article}"

    def get_absolute_url(self):
        return reverse("articles:preview", kwargs={"token": self.token})

    @classmethod
    def create_for(cls, article, user, lifetime=None):
        return cls.objects.create(
            article=article,
            nonce=secrets.token_hex(16),
            created_by=user,
            expires_at=timezone.now() + (lifetime or cls.DEFAULT_LIFETIME),
        )

    @property
    def token(self):
        """The nonce signed with the site's key: the same address every time it
        is shown (the row, not the token, holds the expiry)."""
        return signing.Signer(salt=PREVIEW_SALT).sign(self.nonce)

    @classmethod
    def nonce_from(cls, token):
        """The nonce a token carries, or None when it was not signed by the site."""
        try:
            return signing.Signer(salt=PREVIEW_SALT).unsign(token)
        except signing.BadSignature:
            return None

    def is_usable(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    is_usable.boolean = True
    is_usable.short_description = "Works"


PREVIEW_SALT = "articles.preview-link"


def next_timed_change(now=None):
    """When readers' pages next change with no save, or None: a scheduled story
    goes live, a story or a pin expires, a banner starts or ends. One query;
    ``articles.caching`` keeps nothing rendered past it."""
    now = now or timezone.now()
    times = [
        Article.objects.scheduled().annotate(at=F("published_at")),
        Article.objects.filter(expires_at__gt=now).annotate(at=F("expires_at")),
        Pin.objects.filter(expires_at__gt=now).annotate(at=F("expires_at")),
        Banner.objects.filter(starts_at__gt=now).annotate(at=F("starts_at")),
        Banner.objects.filter(ends_at__gt=now).annotate(at=F("ends_at")),
    ]
    first, *rest = [qs.order_by().values_list("at", flat=True) for qs in times]
    return first.union(*rest, all=True).order_by("at").first()


class ArticleRevision(models.Model):
    """One kept version of an article: every editable field, the ordered
    sources, the notes and the hero image's file name, as a JSON snapshot,
    with who made it, when, why (``action``) and an optional note.

    Written only through ``articles.revisions.record_revision``; never changed
    afterwards. Restoring an old revision writes a new one."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        SAVED = "saved", "Saved"
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"
        CORRECTED = "corrected", "Corrected"
        RESTORED = "restored", "Restored"
        TAKEN_DOWN = "taken_down", "Taken down"
        TAKEDOWN_LIFTED = "takedown_lifted", "Takedown lifted"
        COVERAGE_ENDED = "coverage_ended", "Live coverage ended"
        COVERAGE_LIVE = "coverage_live", "Live coverage went live"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )  # the unique (article, number) index serves lookups by article
    number = models.PositiveIntegerField(help_text="1 for the first version, then 2, 3…")
    action = models.CharField(max_length=20, choices=Action.choices)
    snapshot = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_revision_number")
        ]

    def __str__(self):
        return f"revision {self.number} of article {self.article_id}"

    @property
    def is_live_version(self):
        """Whether readers saw this version: it was saved published."""
        return self.snapshot.get("status") == Article.Status.PUBLISHED
