import base64
import functools
import hashlib
import re
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html_join
from js_asset import Media

from .caching import invalidate_site
from .images import CROP_RATIOS
from .models import (
    Article,
    ArticleContributor,
    ArticleNote,
    Category,
    Contributor,
    EditorialSettings,
    Source,
    Topic,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "article_count"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, category):
        return category.article_count


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "slug", "user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "job_title"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class ContributorInline(admin.TabularInline):
    model = ArticleContributor
    extra = 1
    fields = ["order", "contributor", "role"]
    autocomplete_fields = ["contributor"]
    verbose_name = "contributor"
    verbose_name_plural = (
        "Contributors (the byline reads “By A and B” from the authors, in this order; "
        "a guest without an account is added with the + button)"
    )


class SourceInline(admin.TabularInline):
    model = Source
    extra = 1
    fields = ["position", "name", "url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    verbose_name = "source"
    verbose_name_plural = "Sources (shown as “Sources: …” under the article, in this order)"


class NoteFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        """A public note's "Delete" box is disabled (a posted tick is ignored):
        it can only be retracted."""
        super().add_fields(form, index)
        if form.instance.pk and form.instance.is_public():
            field = form.fields[forms.formsets.DELETION_FIELD_NAME]
            field.disabled = True
            field.help_text = "Public: retract it with a reason instead."


class ArticleNoteInline(admin.StackedInline):
    model = ArticleNote
    formset = NoteFormSet
    extra = 0
    fields = ["kind", "placement", "published_at", "text", "retraction_note", "retracted_at"]
    readonly_fields = ["retracted_at"]
    verbose_name = "correction or update note"
    verbose_name_plural = (
        "Corrections, clarifications and updates (public at once on a published article; "
        "never deleted once public, only retracted)"
    )


class ArticleForm(forms.ModelForm):
    substantive_update = forms.BooleanField(
        required=False,
        label="Substantive update",
        help_text="Tick when this save changes what the story says (new facts, a changed "
        "figure): readers then see “Updated” with the time, and search engines a new "
        "modified date. Leave it unticked for a typo fix.",
    )


@functools.cache
def prose_editor_style_hash():
    """The CSP hash of the base styles the body editor injects as a <style>.

    Tiptap adds ProseMirror's few required rules in a <style> element it builds
    itself, with no nonce in this widget; allowing exactly that text by hash
    keeps every other inline style out. None when the bundle no longer holds
    them where expected (the admin browser test then reports the violation).
    """
    path = finders.find("django_prose_editor/editor.js")
    source = Path(path).read_text(encoding="utf-8") if path else ""
    found = re.search(r"=`(\.ProseMirror \{\n  position: relative;\n\}[^`]*)`", source)
    if not found:
        return None
    digest = hashlib.sha256(found.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "headline",
        "category",
        "status",
        "published_at",
        "is_published",
        "featured",
        "views",
        "comments",
    ]
    list_display_links = ["headline"]
    list_filter = ["status", "kind", "category", "topics", "featured", "published_at"]
    list_select_related = ["category"]
    search_fields = ["headline", "standfirst", "credits__contributor__name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["category", "topics"]
    readonly_fields = [
        "view_count",
        "created_at",
        "updated_at",
        "substantive_update_at",
        "hero_crops_preview",
    ]
    inlines = [ContributorInline, SourceInline, ArticleNoteInline]
    actions = ["publish_now", "unpublish"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {"fields": ["kind", "headline", "slug", "category", "topics", "standfirst", "body"]},
        ),
        (
            "Sponsored stories",
            {
                "fields": ["sponsor_name", "sponsor_url"],
                "description": "For the Sponsored type only: readers see “Sponsored by” with "
                "the sponsor and a disclosure, and the story's links are marked sponsored.",
            },
        ),
        ("Desk account", {"fields": ["author"]}),
        (
            "Hero image",
            {
                "fields": [
                    "hero_image",
                    "hero_alt",
                    "hero_caption",
                    "hero_credit",
                    ("hero_focus_x", "hero_focus_y"),
                    "hero_crops_preview",
                ],
                "description": "Optional. Resized copies for phones and desktops, and the "
                "16:9, 4:3 and square crops search engines and social networks show, are "
                "made on save. The crops are centred on the focal point: check them below "
                "after saving, and move the point if a face is cut.",
            },
        ),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "featured",
                    "substantive_update",
                    "substantive_update_at",
                ],
                "description": "Drafts and scheduled articles can be previewed with "
                "“View on site”; readers see them only once published and due.",
            },
        ),
        (
            "Comments",
            {
                "fields": ["comments_open", "comment_moderation"],
                "description": "The rest of the comment policy is the site's Discussion settings.",
            },
        ),
        ("Record", {"fields": ["view_count", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        js = ["js/focal-point.js"]
        css = {"all": ["css/focal-point.css"]}

    @admin.display(description="Crops")
    def hero_crops_preview(self, article):
        crops = [(label, article.hero_crops.get(label)) for label in CROP_RATIOS]
        if not article.hero_image or not all(crop for _, crop in crops):
            return "Made on save, from the image and its focal point."
        return format_html_join(
            " ",
            '<img src="{}" width="160" height="{}" alt="The {} crop">',
            (
                (
                    default_storage.url(crop["name"]),
                    round(160 * crop["height"] / crop["width"]),
                    label,
                )
                for label, crop in crops
            ),
        )

    @admin.display(description="Comments", ordering="comment_count")
    def comments(self, article):
        return article.comment_count

    @admin.display(description="Views", ordering="view_count")
    def views(self, article):
        return f"{article.view_count:,}"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # Editors cannot browse user accounts; offer the desk's own people.
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_staff=True, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def render_change_form(self, request, context, *args, **kwargs):
        """Give the form's media the request's CSP nonce.

        The body editor loads as ES modules through an inline import map, the
        one inline script in the desk; the nonce lets exactly that one run. Its
        injected base styles are allowed by their hash.
        """
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        response = super().render_change_form(request, context, *args, **kwargs)
        if style_hash := prose_editor_style_hash():
            response._csp_update = {"style-src": [style_hash]}  # as csp_update() does
        return response

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("substantive_update") and obj.published_at:
            obj.substantive_update_at = max(timezone.now(), obj.published_at)
        super().save_model(request, obj, form, change)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    @admin.action(description="Publish selected articles now", permissions=["change"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        count = 0
        for article in queryset:
            article.publish(when=now if not article.is_published() else None)
            article.save(update_fields=["status", "published_at", "updated_at"])
            count += 1
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(status=Article.Status.DRAFT, updated_at=timezone.now())
        invalidate_site()  # update() sends no signals
        self.message_user(request, f"Moved {count} article(s) back to draft.", messages.SUCCESS)


@admin.register(EditorialSettings)
class EditorialSettingsAdmin(admin.ModelAdmin):
    """One row: the list leads straight to its form (the add form until it is
    first saved). Saving always writes that row (``EditorialSettings.save``);
    "add" is not hidden, as deciding that would cost every admin page a query."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from django.shortcuts import redirect

        settings_row = EditorialSettings.load()
        if settings_row._state.adding:
            return redirect("admin:articles_editorialsettings_add")
        return redirect("admin:articles_editorialsettings_change", settings_row.pk)
