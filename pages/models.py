"""The newsroom's standing pages (About, Contact, Privacy, Corrections policy,
Comment guidelines): text editors keep in the admin, with the article body's
editor and sanitizer, cached and invalidated like every page readers see."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve, reverse
from django_prose_editor.fields import ProseEditorField

from articles.models import BODY_EXTENSIONS

from .standing import PAGES

# Linked from every page's footer (and the comment form, the corrections
# pages): they cannot be deleted, only edited.
STANDING_PAGES = [slug for slug, *_ in PAGES]


class Page(models.Model):
    title = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="The page's address: /<slug>/. The footer's pages keep theirs.",
    )
    summary = models.CharField(
        max_length=300, blank=True, help_text="One sentence for search results and link previews."
    )
    body = ProseEditorField(
        extensions=BODY_EXTENSIONS,
        sanitize=True,
        blank=True,
        help_text="Headings, lists, quotes and links. Pasted styles and scripts are removed on save.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = self._meta.get_field("body").sanitize(self.body or "")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("page", kwargs={"slug": self.slug})

    def clean(self):
        # /<slug>/ is the last address tried: a slug another page of the site
        # already answers (search, corrections, health...) could never be reached.
        try:
            match = resolve(f"/{self.slug}/")
        except Resolver404:
            return
        if match.url_name != "page":
            raise ValidationError({"slug": f"/{self.slug}/ is already another page of the site."})

    @property
    def is_standing(self):
        return self.slug in STANDING_PAGES
