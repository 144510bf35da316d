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
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from js_asset import Media

from .caching import invalidate_site
from .images import CROP_RATIOS
from .models import Article, ArticleNote, Category, EditorialSettings, Image, Source


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


def thumbnail(image, link=False, width=120):
    """A small copy of a library image for the desk's lists and forms."""
    height = round(width * image.height / image.width) if image.width else width
    tag = format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="library-thumbnail">',
        image.card_url(),
        width,
        height,
        image.alt_text,
    )
    if link:
        url = reverse("admin:articles_image_change", args=[image.pk])
        return format_html('<a href="{}">{}</a> {}', url, tag, image)
    return tag


class UsageFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("yes", "Used as a hero"), ("no", "Not used as a hero")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(hero_of__isnull=self.value() == "no").distinct()
        return queryset


class ImageForm(forms.ModelForm):
    class Meta:
        error_messages = {
            "alt_text": {"required": "Describe the image for readers who cannot see it."}
        }


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """The image library. Deleting an image a story uses is refused by the
    admin's own "protected objects" page, which lists those stories."""

    form = ImageForm
    list_display = ["preview", "alt_text", "credit", "size", "uploaded_by", "created_at"]
    list_display_links = ["preview", "alt_text"]
    list_filter = [UsageFilter, "created_at", "credit"]
    list_select_related = ["uploaded_by"]
    search_fields = ["alt_text", "caption", "credit", "source"]
    date_hierarchy = "created_at"
    readonly_fields = ["crops_preview", "size", "uploaded_by", "created_at", "used_by"]
    fieldsets = [
        (None, {"fields": ["file", "alt_text", "caption", "credit", "source"]}),
        (
            "Focal point and crops",
            {
                "fields": [("focus_x", "focus_y"), "crops_preview"],
                "description": "Resized copies for phones and desktops, and the 16:9, 4:3 "
                "and square crops search engines and social networks show, are made on "
                "save, once for every story that uses the image. The crops are centred on "
                "the focal point: check them below after saving, and move the point if a "
                "face is cut.",
            },
        ),
        ("Record", {"fields": ["size", "uploaded_by", "created_at", "used_by"]}),
    ]

    class Media:
        js = ["js/focal-point.js"]
        css = {"all": ["css/focal-point.css"]}

    @admin.display(description="Image")
    def preview(self, image):
        return thumbnail(image, width=80)

    @admin.display(description="Size")
    def size(self, image):
        return f"{image.width} by {image.height} px" if image.width else "—"

    @admin.display(description="Used by")
    def used_by(self, image):
        stories = list(image.hero_of.only("pk", "headline"))
        if not stories:
            return "No story yet."
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:articles_article_change", args=[a.pk]), a.headline) for a in stories),
        )

    @admin.display(description="Crops")
    def crops_preview(self, image):
        crops = [(label, image.crops.get(label)) for label in CROP_RATIOS]
        if not image.pk or not all(crop for _, crop in crops):
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

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


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
    list_filter = ["status", "category", "featured", "published_at"]
    list_select_related = ["category"]
    search_fields = ["headline", "standfirst", "byline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["category", "hero"]
    readonly_fields = [
        "view_count",
        "created_at",
        "updated_at",
        "substantive_update_at",
        "hero_preview",
    ]
    inlines = [SourceInline, ArticleNoteInline]
    actions = ["publish_now", "unpublish"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["headline", "slug", "category", "standfirst", "body"]}),
        ("Byline", {"fields": ["byline", "author"]}),
        (
            "Hero image",
            {
                "fields": ["hero", "hero_preview"],
                "description": "Optional. Choose a photo from the image library: its alt "
                "text, caption, credit, focal point and crops come with it, and are "
                "changed in the library for every story that uses it.",
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

    @admin.display(description="Preview")
    def hero_preview(self, article):
        if not article.hero_id:
            return "Saved with the article, the chosen photo is shown here."
        return thumbnail(article.hero, link=True)

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
        initial.setdefault("byline", request.user.get_full_name())
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
