"""Live coverage: timestamped entries posted under an article while events happen."""

from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField

from articles.search import plain_text

# Short rich text: what the sanitizer lets through is what the editor offers.
ENTRY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"protocols": ["http", "https", "mailto"]},
}


class LiveEntryQuerySet(models.QuerySet):
    def timeline(self):
        """Newest first; the pinned entry is shown apart, above them."""
        return self.filter(pinned=False).order_by("-published_at", "-pk")

    def key_events(self):
        """The key events, newest first, each with how many timeline entries are
        newer (its page follows from that): one query."""
        newer = (
            LiveEntry.objects.filter(article=OuterRef("article"), pinned=False)
            .filter(
                Q(published_at__gt=OuterRef("published_at"))
                | Q(published_at=OuterRef("published_at"), pk__gt=OuterRef("pk"))
            )
            .order_by()
            .values("article")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return (
            self.filter(key_event=True)
            .annotate(newer=Coalesce(Subquery(newer), 0))
            .order_by("-published_at", "-pk")
            .only("pk", "key_event_label", "published_at", "pinned", "body")
        )


class LiveEntry(models.Model):
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="live_entries"
    )
    body = ProseEditorField(
        extensions=ENTRY_EXTENSIONS,
        sanitize=True,
        help_text="A few lines: bold, italic, links, lists, quotes.",
    )
    image = models.ForeignKey(
        "articles.Image",
        on_delete=models.PROTECT,  # a story's photo: deleting it from the library is refused
        null=True,
        blank=True,
        related_name="+",
        help_text="An optional photo from the image library.",
    )
    author = models.ForeignKey(
        "articles.Contributor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="live_entries",
    )
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    pinned = models.BooleanField(
        default=False, help_text="Shown above the others; pinning one unpins the rest."
    )
    key_event = models.BooleanField(default=False, help_text="Listed under “Key events”.")
    key_event_label = models.CharField(
        max_length=40, blank=True, help_text="For example “Goal”, “Red card”, “Penalty”."
    )

    objects = LiveEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "live entry"
        verbose_name_plural = "live entries"
        ordering = [F("published_at").desc(), F("pk").desc()]
        indexes = [models.Index(fields=["article", "published_at", "id"])]

    def __str__(self):
        return self.summary

    def save(self, *args, **kwargs):
        # Every way in is sanitized, not only the admin form.
        self.body = self._meta.get_field("body").sanitize(self.body or "")
        if self.key_event_label:
            self.key_event = True  # a label is only shown for a key event
        with transaction.atomic():
            if self.pinned:
                LiveEntry.objects.filter(article_id=self.article_id, pinned=True).exclude(
                    pk=self.pk
                ).update(pinned=False)
            super().save(*args, **kwargs)

    @property
    def summary(self):
        """The entry as a headline: its label, or its first words."""
        text = plain_text(self.body)
        if len(text) > 80:
            text = text[:79].rsplit(" ", 1)[0] + "…"
        return f"{self.key_event_label}: {text}" if self.key_event_label else text
