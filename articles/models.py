from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator
from django.db import connection, models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django_prose_editor.fields import ProseEditorField

from . import social_cards
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


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and the publication time has come.

        Scheduling is decided here, at query time, so nothing has to run to make
        a scheduled article appear.
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def most_read(self, hours, limit=5):
        """The most viewed of these articles over the last ``hours`` hours, in one query."""
        since = timezone.now() - timedelta(hours=hours)
        return (
            self.filter(view_tallies__hour__gte=since)
            .annotate(recent_views=models.Sum("view_tallies__views"))
            .order_by("-recent_views", "-published_at")
            .select_related("category")
            .defer("body", "body_text")[:limit]
        )

    def related_to(self, article, limit=4):
        """Recent articles of the same category, the article itself excluded."""
        return (
            self.filter(category_id=article.category_id)
            .exclude(pk=article.pk)
            .select_related("category")
            .defer("body", "body_text")[:limit]
        )

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_desk_state(self, state):
        """The articles in one of ``Article.DESK_STATES``: scheduled and published
        are derived from ``published()``, the rest are the desk's own stages."""
        if state == "published":
            return self.published()
        if state == "scheduled":
            return self.scheduled()
        return self.filter(status=Article.Status.DRAFT, workflow_state=state)

    def awaiting_review_by(self, user):
        """Stories submitted for review that ``user`` did not write."""
        return self.filter(
            status=Article.Status.DRAFT, workflow_state=Article.Stage.IN_REVIEW
        ).exclude(author=user)

    def for_page(self):
        """What the article page shows: category, author, sources."""
        return (
            self.select_related("category", "author").prefetch_related("sources").defer("body_text")
        )

    def for_listing(self):
        """What an article card needs, in the same query."""
        return self.select_related("category").defer("body", "body_text")

    def front_page(self, latest):
        """The lead story and the ``latest`` newest others, in one query.

        The lead is the newest featured article, or the newest one when none is
        featured. Returns ``(lead, [latest...])``.
        """
        newest_featured = (
            self.filter(featured=True).order_by("-published_at", "-pk").values("pk")[:1]
        )
        newest = self.order_by("-published_at", "-pk").values("pk")[: latest + 1]
        rows = list(self.filter(Q(pk__in=newest_featured) | Q(pk__in=newest)))
        rows.sort(key=lambda a: (a.published_at, a.pk), reverse=True)
        lead = next((a for a in rows if a.featured), rows[0] if rows else None)
        return lead, [a for a in rows if a != lead][:latest]

    def latest_per_category(self, per_category):
        """The newest ``per_category`` articles of every category, in one query.

        The ranking picks primary keys only; whatever else is asked of the result
        (``for_listing()``'s comment counts) is computed for the few rows picked,
        not for every article the window function has to rank.
        """
        ranked = (
            self.order_by()
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
        "unpublished": "Unpublished",
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
    byline = models.CharField(
        max_length=120,
        blank=True,
        help_text="The author's name as printed. Left empty, the linked account's full name is used.",
    )
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
        sanitize=True,
        blank=True,
        help_text="Headings, lists, quotes and links. Pasted styles and scripts are removed on save.",
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
    featured = models.BooleanField(
        default=False,
        help_text="Lead the home page with this article (the newest featured one wins).",
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
    hero_image = models.ImageField(
        "hero image",
        upload_to="articles/%Y/%m/",
        blank=True,
        width_field="hero_width",
        height_field="hero_height",
        validators=[validate_upload_size, validate_image_content],
        help_text="Optional. JPEG, PNG, WebP or AVIF, at least 1200 pixels wide for sharp results.",
    )
    hero_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who cannot see it. Required with an image.",
    )
    hero_caption = models.CharField("caption", max_length=300, blank=True)
    hero_credit = models.CharField(
        "credit", max_length=120, blank=True, help_text="Photographer or agency, e.g. “Reuters”."
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_renditions = models.JSONField(default=list, blank=True, editable=False)
    # Derived from the body on save: what search indexes and quotes in its snippets.
    body_text = models.TextField(blank=True, default="", editable=False)
    hero_focus_x = models.PositiveSmallIntegerField(
        "focal point across",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="Where the subject (a face, say) is, in percent of the width from the "
        "left edge: 0 is the left edge, 50 the middle, 100 the right edge. The 16:9, 4:3 "
        "and square crops shown by search engines and social networks are centred on it.",
    )
    hero_focus_y = models.PositiveSmallIntegerField(
        "focal point down",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="The same, in percent of the height from the top edge: 0 is the top, "
        "50 the middle, 100 the bottom. For a portrait, the eyes are often near 30.",
    )
    # The crops in CROP_RATIOS and the focal point they were made for (images.make_crops).
    hero_crops = models.JSONField(default=dict, blank=True, editable=False)
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
            models.Index(
                fields=["-published_at"],
                name="article_featured_published",
                condition=Q(featured=True),
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
        new_image = self.hero_image and not getattr(self.hero_image, "_committed", True)
        removed_image = not self.hero_image and (self.hero_renditions or self.hero_crops)
        if not self._state.adding and kwargs.get("update_fields") is None and not args:
            # The counters move in the database while an editor has the article
            # open; saving the edit must not write back the numbers it loaded.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.COUNTERS
            ]
        super().save(*args, **kwargs)
        if connection.vendor == "postgresql":
            type(self).objects.filter(pk=self.pk).update(search_document=search_vector())
        focus = [self.hero_focus_x, self.hero_focus_y]
        moved_focus = self.hero_image and self.hero_crops.get("focus") != focus
        if new_image or removed_image or moved_focus:
            if new_image or removed_image:
                delete_renditions(self.hero_renditions)
                self.hero_renditions = make_renditions(self.hero_image) if self.hero_image else []
            delete_crops(self.hero_crops)
            self.hero_crops = make_crops(self.hero_image, focus) if self.hero_image else {}
            type(self).objects.filter(pk=self.pk).update(
                hero_renditions=self.hero_renditions, hero_crops=self.hero_crops
            )

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def modified_at(self):
        """The one public "modified" time (JSON-LD, feeds, sitemap): the last
        substantive update, or the publication when there was none."""
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
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError({"hero_alt": "Describe the image for readers who cannot see it."})

    def hero_srcset(self):
        """``srcset`` candidates: the renditions, then the original at its own width."""
        candidates = [
            f"{default_storage.url(r['name'])} {r['width']}w" for r in self.hero_renditions
        ]
        if self.hero_image and self.hero_width:
            candidates.append(f"{self.hero_image.url} {self.hero_width}w")
        return ", ".join(candidates)

    def hero_card_url(self):
        """A small rendition for listing cards (the original when it is small)."""
        for rendition in self.hero_renditions:
            if rendition["width"] >= 480:
                return default_storage.url(rendition["name"])
        return self.hero_image.url if self.hero_image else ""

    def share_images(self):
        """The images search engines and social networks are given, most wanted
        shape first: ``[{"url", "width", "height", "type", "alt", "bytes"}, ...]``.

        The hero's 16:9, 4:3 and square crops; the hero itself while its crops
        are not made yet; the generated social card when there is no hero.
        """
        if self.hero_image:
            crops = [self.hero_crops[label] for label in CROP_RATIOS if label in self.hero_crops]
            if not crops:
                return [
                    {
                        "url": self.hero_image.url,
                        "width": self.hero_width,
                        "height": self.hero_height,
                        "type": "",
                        "alt": self.hero_alt,
                        "bytes": None,
                    }
                ]
            return [
                {
                    "url": default_storage.url(crop["name"]),
                    "width": crop["width"],
                    "height": crop["height"],
                    "type": "image/jpeg",
                    "alt": self.hero_alt,
                    "bytes": crop["bytes"],
                }
                for crop in crops
            ]
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
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    is_published.boolean = True
    is_published.short_description = "Live"

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
        if self.status == self.Status.PUBLISHED:
            return "published" if self.is_published() else "scheduled"
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
        if self.byline:
            return self.byline
        if self.author_id:
            return self.author.get_full_name() or self.author.get_username()
        return ""

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
        return (
            self.pk is not None
            and self.published_at <= timezone.now()
            and self.article.is_published()
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
        "Linked from the corrections page and under every correction.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "editorial settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="editorial_settings_one_row")
        ]

    def __str__(self):
        return "Editorial settings"
