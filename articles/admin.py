import base64
import functools
import hashlib
import re
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from js_asset import Media

from . import desk, workflow
from .images import CROP_RATIOS
from .models import Article, ArticleNote, Category, EditorialSettings, Source


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


class ArticleForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            check = reverse("admin:articles_article_slug_check")
            if self.instance.pk:
                check += f"?article={self.instance.pk}"
            self.fields["slug"].widget.attrs.update(
                {
                    "data-hx-get": check,
                    "data-hx-trigger": "input changed delay:400ms, change",
                    "data-hx-target": "#slug-check",
                    "data-hx-swap": "outerHTML",
                }
            )
            # The admin prints help text unescaped: "<slug>" must be escaped here.
            self.fields["slug"].help_text = format_html(
                '{} <span id="slug-check" class="slug-check" role="status"></span>',
                self.fields["slug"].help_text,
            )

    def full_clean(self):
        """A browser cannot send a chosen file again: when the form has errors
        elsewhere, say that the image just chosen was not kept, rather than
        let the next save store the story without it and say nothing."""
        super().full_clean()
        upload = self.files.get("hero_image")
        if self._errors and upload and "hero_image" not in self._errors:
            self.add_error(
                "hero_image",
                f"“{upload.name}” was not saved, because of the errors on this form: "
                "choose it again before you save.",
            )

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
        "short_headline",
        "state",
        "category",
        "author_name",
        "time",
        "views",
        "comments",
    ]
    list_display_links = ["short_headline"]
    list_filter = [desk.DeskStateFilter, desk.ReviewFilter, "category", "featured"]
    list_select_related = ["category", "author"]
    list_per_page = 50
    search_fields = ["headline", "standfirst", "body_text", "byline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["category"]
    readonly_fields = [
        "view_count",
        "created_at",
        "updated_at",
        "substantive_update_at",
        "hero_crops_preview",
        "body_length",
        "share_preview",
    ]
    inlines = [SourceInline, ArticleNoteInline]
    actions = ["submit_for_review", "approve", "publish_now", "unpublish"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["headline", "slug", "category", "standfirst", "body", "body_length"]}),
        (
            "Search and social preview",
            {
                "fields": ["share_preview"],
                "description": "How search results and social networks show the story: "
                "the headline, the standfirst as the description, and the image.",
            },
        ),
        ("Byline", {"fields": ["byline", "author"]}),
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
        js = ["js/focal-point.js", "js/desk-form.js"]
        css = {"all": ["css/focal-point.css", "css/desk.css"]}

    @admin.display(description="Length")
    def body_length(self, article):
        """Counted from the saved body here; desk-form.js keeps it current while typing."""
        return format_html(
            '<output id="body-length" data-words-per-minute="{}">{}</output>',
            Article.WORDS_PER_MINUTE,
            article.length_words(),
        )

    @admin.display(description="Preview")
    def share_preview(self, article):
        return render_to_string("admin/articles/_share_preview.html", {"article": article})

    @admin.display(description="Headline", ordering="headline")
    def short_headline(self, article):
        """Short enough to stay on one or two lines; the whole headline on hover."""
        return format_html(
            '<span title="{}">{}</span>', article.headline, Truncator(article.headline).chars(60)
        )

    @admin.display(description="State")
    def state(self, article):
        return format_html(
            '<span class="desk-state desk-state-{}">{}</span>',
            article.desk_state(),
            article.desk_state_words(),
        )

    @admin.display(description="Author", ordering="byline")
    def author_name(self, article):
        return article.byline_name

    @admin.display(description="Time", ordering="published_at")
    def time(self, article):
        if not article.published_at:
            return "not set"
        when = timezone.localtime(article.published_at)
        shown = "j M H:i" if when.year == timezone.localtime().year else "j M Y H:i"
        return format_html(
            '<time datetime="{}">{}</time>', when.isoformat(), dateformat.format(when, shown)
        )

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

    def get_urls(self):
        return [
            path(
                "slug-check/",
                self.admin_site.admin_view(self.slug_check_view),
                name="articles_article_slug_check",
            ),
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="articles_article_transition",
            ),
            *super().get_urls(),
        ]

    def slug_check_view(self, request):
        return desk.slug_check_view(request)

    def transition_view(self, request, object_id):
        return desk.transition_view(request, self, object_id)

    def has_publish_permission(self, request):
        return workflow.may_publish(request.user)

    def has_change_permission(self, request, obj=None):
        """A live or scheduled story is read-only to those who may not publish:
        changing it would be publishing."""
        live_or_scheduled = obj is not None and obj.status == Article.Status.PUBLISHED
        if live_or_scheduled and not self.has_publish_permission(request):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not self.has_publish_permission(request):
            fields = [*fields, "status", "published_at", "featured"]
        return fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A hand-made POST that tries to set what only editors set is refused,
        not quietly ignored."""
        if request.method == "POST" and not self.has_publish_permission(request):
            sent = {"status", "published_at_0", "published_at_1", "featured"} & set(request.POST)
            if sent:
                raise PermissionDenied("Only editors can publish or schedule articles.")
        extra_context = extra_context or {}
        if object_id:
            extra_context.update(desk.change_form_context(request, self, object_id))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("substantive_update") and obj.published_at:
            obj.substantive_update_at = max(timezone.now(), obj.published_at)
        move = desk.status_move(form, change)
        super().save_model(request, obj, form, change)
        if move:
            # The Publishing fields moved the story: the same move as the buttons, recorded.
            workflow.transition(obj, request.user, move)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        initial.setdefault("byline", request.user.get_full_name())
        return initial

    def _move(self, request, queryset, action, done, when=None):
        """Take ``action`` on each selected story it applies to, each one
        written to that story's history."""
        moved = skipped = 0
        for article in queryset:
            if action not in workflow.available(article, request.user):
                skipped += 1
                continue
            workflow.transition(article, request.user, action, when=when)
            moved += 1
        self.message_user(request, f"{done} {moved} article(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} article(s) skipped: not in a state this action applies to.",
                messages.WARNING,
            )

    @admin.action(description="Submit selected articles for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._move(request, queryset, workflow.SUBMIT, "Submitted for review:")

    @admin.action(
        description="Approve selected articles (publish at their time)", permissions=["publish"]
    )
    def approve(self, request, queryset):
        self._move(request, queryset, workflow.APPROVE, "Approved")

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_now(self, request, queryset):
        live = Article.objects.published()
        self._move(
            request, queryset.exclude(pk__in=live), workflow.PUBLISH, "Published", timezone.now()
        )

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        self._move(request, queryset, workflow.UNPUBLISH, "Unpublished")


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
