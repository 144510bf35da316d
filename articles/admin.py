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
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, get_text_list
from js_asset import Media

from . import desk, revision_admin, workflow
from .body import referenced_images
from .images import CROP_RATIOS
from .models import (
    Article,
    ArticleContributor,
    ArticleNote,
    ArticleRevision,
    Banner,
    Category,
    Contributor,
    EditorialSettings,
    Image,
    Pin,
    PreviewLink,
    Source,
    Topic,
    credits_prefetch,
    image_uses_by_story,
)
from .revisions import record_revision


class CategoryPinInline(admin.TabularInline):
    model = Pin
    extra = 1
    fields = ["slot", "article", "expires_at"]
    autocomplete_fields = ["article"]
    verbose_name = "pinned story"
    verbose_name_plural = (
        "Pinned stories (top of this category's page in slot order; the rest by recency)"
    )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "article_count"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [CategoryPinInline]

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
        """The "Delete" box of a note that has been public is disabled (a
        posted tick is ignored): it can only be retracted."""
        super().add_fields(form, index)
        if form.instance.has_been_public():
            field = form.fields[forms.formsets.DELETION_FIELD_NAME]
            field.disabled = True
            field.help_text = "It has been public: retract it with a reason instead."


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
        return [("yes", "Used by a story"), ("no", "Not used")]

    def queryset(self, request, queryset):
        """Used as a hero, in a body (a photo or a gallery) or in a live entry."""
        if self.value() == "yes":
            return queryset.in_use()
        if self.value() == "no":
            return queryset.not_in_use()
        return queryset


def stories_using(images):
    """For each image in use, its stories linked, each with how it uses the
    image (“hero image, gallery”): one query."""
    stories = {}
    for image, article, headline, how in image_uses_by_story(images):
        stories.setdefault(image, {}).setdefault((article, headline), []).append(how)
    return {
        image: [
            format_html(
                '<a href="{}">{}</a> ({})',
                reverse("admin:articles_article_change", args=[article]),
                headline,
                ", ".join(hows),
            )
            for (article, headline), hows in uses.items()
        ]
        for image, uses in stories.items()
    }


def library_choice(image):
    """A library image as the desk's pickers show it: its thumbnail (with the
    size it keeps the shape of), alt text and credit, and where to edit it."""
    return {
        "thumbnail": image.card_url(),
        "alt": image.alt_text,
        "credit": image.credit,
        "width": image.width,
        "height": image.height,
        "url": reverse("admin:articles_image_change", args=[image.pk]),
    }


# The most images one thumbnail request may ask for (the body editor asks in
# batches of this size).
THUMBS_LIMIT = 100


class ImageForm(forms.ModelForm):
    class Meta:
        error_messages = {
            "alt_text": {"required": "Describe the image for readers who cannot see it."}
        }


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """The image library. Deleting an image a story uses is refused, and the
    page says which stories use it and how (its delete templates)."""

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

    def autocomplete_extra(self, image):
        """What the hero box's search shows beside each result: the photo, its
        alt text and credit (static/js/hero-picker.js draws them)."""
        return library_choice(image)

    def get_urls(self):
        return [
            path(
                "thumbs/",
                self.admin_site.admin_view(self.thumbs_view),
                name="articles_image_thumbs",
            ),
            *super().get_urls(),
        ]

    def thumbs_view(self, request):
        """``?ids=12,13``: each of those library images that exists, as the
        body editor shows a chosen photo (static/js/body-media.js): its id,
        thumbnail, alt text and credit, in the order asked, in one query. An
        id that names no image is left out; the editor says so."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        asked = [part.strip() for part in request.GET.get("ids", "").split(",") if part.strip()]
        if not all(re.fullmatch(r"[0-9]{1,10}", part) for part in asked):
            return JsonResponse({"error": "ids: numbers separated by commas."}, status=400)
        if len(asked) > THUMBS_LIMIT:
            return JsonResponse({"error": f"ids: at most {THUMBS_LIMIT} at a time."}, status=400)
        ids = list(dict.fromkeys(int(part) for part in asked))
        images = Image.objects.in_bulk(ids)
        found = [{"id": pk, **library_choice(images[pk])} for pk in ids if pk in images]
        return JsonResponse({"images": found})

    @admin.display(description="Size")
    def size(self, image):
        return f"{image.width} by {image.height} px" if image.width else "—"

    @admin.display(description="Used by")
    def used_by(self, image):
        stories = image.pk and stories_using([image.pk]).get(image.pk)
        if not stories:
            return "No story yet."
        return format_html_join(", ", "{}", ((story,) for story in stories))

    def get_deleted_objects(self, objs, request):
        """Refused while a story uses an image: instead of the rows that protect
        it, the stories, linked, and how each uses it; for several images, the
        stories under each image that has any."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            images = {image.pk: image for image in objs}
            stories = stories_using(list(images))
            if len(images) == 1:
                (pk,) = images
                protected = stories.get(pk) or protected
            else:
                protected = [
                    item
                    for pk, image in images.items()
                    if pk in stories
                    for item in (image, stories[pk])
                ]
        return deleted, counts, perms_needed, protected

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


class ArticleForm(revision_admin.VersionCheckedForm):
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

    def clean_body(self):
        """A photo or gallery must name images in the library: an id typed by
        hand that names none is refused, by number, rather than stored to show
        nothing. One the saved body already names is let be, so an old story
        still saves; the editor marks it (static/js/body-media.js)."""
        body = self.cleaned_data["body"]
        stored = Article._meta.get_field("body").sanitize(body)  # as it would be saved
        saved = set(referenced_images(self.instance.body)) if self.instance.pk else set()
        wanted = [pk for pk in referenced_images(stored) if pk not in saved]
        if missing := Image.objects.missing(wanted):
            numbers = get_text_list([str(pk) for pk in missing], "and")
            if len(missing) == 1:
                message = (
                    f"No photo in the image library has the number {numbers}. Choose the "
                    "photo from the library, or take it out of the story."
                )
            else:
                message = (
                    f"No photos in the image library have the numbers {numbers}. Choose "
                    "the photos from the library, or take them out of the story."
                )
            raise forms.ValidationError(message, code="unknown_image")
        return body

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


class TakenDownFilter(admin.SimpleListFilter):
    title = "taken down"
    parameter_name = "taken_down"

    def lookups(self, request, model_admin):
        return [("yes", "Taken down"), ("no", "Not taken down")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.taken_down()
        if self.value() == "no":
            return queryset.filter(taken_down_at__isnull=True)
        return queryset


class TakedownForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[("legal", "Legal"), ("editorial", "Editorial")],
        help_text="Recorded in the history; readers see only the notice.",
    )
    notice = forms.CharField(
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What readers who follow a link to the story read, e.g. “This story "
        "has been removed following a legal complaint.”",
    )


class PreviewLinkInline(admin.TabularInline):
    model = PreviewLink
    extra = 0
    fields = ["address", "created_by", "created_at", "expires_at", "revoked_at", "is_usable"]
    readonly_fields = ["address", "created_by", "created_at", "expires_at", "is_usable"]
    can_delete = False
    verbose_name_plural = (
        "Preview links (“Create preview link” above makes one; fill in “Revoked at” to stop one)"
    )

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Address")
    def address(self, link):
        return format_html('<a href="{}">{}</a>', link.get_absolute_url(), link.get_absolute_url())


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
    list_filter = [
        desk.DeskStateFilter,
        desk.ReviewFilter,
        "kind",
        "category",
        "topics",
        TakenDownFilter,
    ]
    list_select_related = ["category", "author"]
    list_per_page = 50
    search_fields = ["headline", "standfirst", "body_text", "credits__contributor__name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["category", "topics", "hero"]
    readonly_fields = [
        "view_count",
        "created_at",
        "updated_at",
        "substantive_update_at",
        "hero_preview",
        "taken_down_at",
        "takedown_reason",
        "body_length",
        "share_preview",
        "live_desk",
    ]
    inlines = [
        ContributorInline,
        SourceInline,
        ArticleNoteInline,
        PreviewLinkInline,
    ]
    actions = ["submit_for_review", "approve", "publish_now", "unpublish", "take_down", "restore"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "kind",
                    "headline",
                    "slug",
                    "category",
                    "topics",
                    "standfirst",
                    "body",
                    "body_length",
                    "based_on_revision",
                ]
            },
        ),
        (
            "Search and social preview",
            {
                "fields": ["share_preview"],
                "description": "How search results and social networks show the story: "
                "the headline, the standfirst as the description, and the image.",
            },
        ),
        (
            "Sponsored stories",
            {
                "fields": ["sponsor_name", "sponsor_url"],
                "description": "For the Sponsored type only: readers see “Sponsored by” with "
                "the sponsor and a disclosure, and the story's links are marked sponsored.",
            },
        ),
        (
            "Live coverage",
            {
                "fields": ["live_status", "live_desk", "coverage_started_at", "coverage_ended_at"],
                "description": "For a match or an event as it happens: entries are posted "
                "from the live desk and reach readers with the page open.",
            },
        ),
        ("Desk account", {"fields": ["author"]}),
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
                    "expires_at",
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
        (
            "Takedown",
            {
                "fields": ["taken_down_at", "takedown_reason", "takedown_notice"],
                "classes": ["collapse"],
                "description": "Set by “Take down” (the button above, or the list's action). "
                "The notice can be reworded here.",
            },
        ),
        ("Record", {"fields": ["view_count", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    change_form_template = "admin/articles/article/change_form.html"

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

    @admin.display(description="Author")
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

    class Media:
        js = ["js/article-desk.js", "js/desk-form.js", "js/hero-picker.js"]
        css = {"all": ["css/article-desk.css", "css/desk.css"]}

    @admin.display(description="Live desk")
    def live_desk(self, article):
        """A link to the article's live desk (the ``live`` app's admin page)."""
        if article is None or article.pk is None:
            return "Save the article first, with live coverage set to “Live now”."
        url = reverse("admin:live_desk", args=[article.pk])
        return format_html('<a class="button" href="{}">Open the live desk</a>', url)

    @admin.display(description="Preview")
    def hero_preview(self, article):
        if not article.hero_id:
            return "No photo chosen yet."
        return thumbnail(article.hero, link=True)

    def get_queryset(self, request):
        """The list's authors come with it: one query for the page's credits."""
        return super().get_queryset(request).prefetch_related(credits_prefetch())

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
        revision_admin.add_desk_context(request, context, kwargs.get("obj"))
        response = super().render_change_form(request, context, *args, **kwargs)
        if context.get("conflict"):
            response.status_code = 409
        if style_hash := prose_editor_style_hash():
            response._csp_update = {"style-src": [style_hash]}  # as csp_update() does
        return response

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
            fields = [*fields, "status", "published_at", "expires_at"]
        return fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A hand-made POST that tries to set what only editors set is refused,
        not quietly ignored."""
        if request.method == "POST" and not self.has_publish_permission(request):
            sent = {"status", "published_at_0", "published_at_1", "expires_at_0", "expires_at_1"}
            sent &= set(request.POST)
            if sent:
                raise PermissionDenied("Only editors can publish or schedule articles.")
        extra_context = extra_context or {}
        if object_id:
            extra_context.update(desk.change_form_context(request, self, object_id))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("substantive_update") and obj.published_at:
            obj.substantive_update_at = max(timezone.now(), obj.published_at)
        # A move by the Publishing fields is made once the sources, credits and
        # notes are saved too (save_related), so its revision holds them.
        form.desk_move = desk.status_move(form, change)
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        """The history says in words when a story was set to leave the site."""
        message = super().construct_change_message(request, form, formsets, add)
        if "expires_at" in form.changed_data:
            expires_at = form.cleaned_data["expires_at"]
            text = (
                f"Set to expire at {timezone.localtime(expires_at):%Y-%m-%d %H:%M %Z}."
                if expires_at
                else "Expiry removed."
            )
            message.append({"changed": {"fields": [text]}})
        return message

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "slug-check/",
                site.admin_view(self.slug_check_view),
                name="articles_article_slug_check",
            ),
            path(
                "<path:object_id>/transition/",
                site.admin_view(self.transition_view),
                name="articles_article_transition",
            ),
            path(
                "<int:pk>/take-down/",
                site.admin_view(self.take_down_view),
                name="articles_article_take_down",
            ),
            path(
                "<int:pk>/preview-link/",
                site.admin_view(self.preview_link_view),
                name="articles_article_preview_link",
            ),
            *revision_admin.urls(self),
            *super().get_urls(),
        ]

    def take_down_view(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        if not self.has_publish_permission(request):
            raise PermissionDenied("Only editors can take a story down.")
        return self._take_down(request, Article.objects.filter(pk=pk), single=article)

    @admin.action(
        description="Take down selected articles (410 Gone with a notice)", permissions=["publish"]
    )
    def take_down(self, request, queryset):
        return self._take_down(request, queryset)

    def _take_down(self, request, queryset, single=None):
        """Ask for the reason and the public notice, then take the stories down:
        each is saved (so every cache drops it) and the history records why."""
        form = TakedownForm(request.POST if "apply_takedown" in request.POST else None)
        if form.is_valid():
            reason, notice = form.cleaned_data["reason"], form.cleaned_data["notice"]
            count = 0
            for article in queryset.filter(taken_down_at__isnull=True):
                article.take_down(reason, notice)
                article.save()
                label = dict(TakedownForm.base_fields["reason"].choices)[reason]
                self.log_change(request, article, f"Taken down ({label.lower()}): {notice}")
                record_revision(
                    article, request.user, ArticleRevision.Action.TAKEN_DOWN, f"{label}: {notice}"
                )
                count += 1
            self.message_user(
                request,
                f"Took down {count} article(s): they now answer 410 Gone.",
                messages.SUCCESS,
            )
            if single is not None:
                return redirect("admin:articles_article_change", single.pk)
            return None
        return TemplateResponse(
            request,
            "admin/articles/article/take_down.html",
            {
                **self.admin_site.each_context(request),
                "title": "Take down",
                "opts": self.model._meta,
                "form": form,
                "articles": list(queryset),
                "single": single,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Restore selected taken-down articles", permissions=["publish"])
    def restore(self, request, queryset):
        """Undo a takedown (the complaint was withdrawn): the story is back
        where its status and dates put it, and the history says so."""
        count = 0
        for article in queryset.taken_down():
            article.taken_down_at = None
            article.save()
            self.log_change(request, article, "Takedown lifted.")
            record_revision(article, request.user, ArticleRevision.Action.TAKEDOWN_LIFTED)
            count += 1
        self.message_user(request, f"Restored {count} article(s).", messages.SUCCESS)

    def preview_link_view(self, request, pk):
        """Make a preview link for the article and show it on its form (POST only)."""
        article = get_object_or_404(Article, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, article):
            raise PermissionDenied
        link = PreviewLink.create_for(article, request.user)
        url = request.build_absolute_uri(link.get_absolute_url())
        self.message_user(
            request,
            format_html(
                'Preview link, valid until {}: <a href="{}">{}</a>. Anyone with it can read '
                "the draft; revoke it under “Preview links” below.",
                f"{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}",
                url,
                url,
            ),
            messages.SUCCESS,
        )
        self.log_change(request, article, "Preview link created.")
        return redirect("admin:articles_article_change", pk)

    def save_related(self, request, form, formsets, change):
        """Keep the saved article, sources and notes as a revision."""
        super().save_related(request, form, formsets, change)
        action, note = (
            ArticleRevision.Action.SAVED if change else ArticleRevision.Action.CREATED,
            "",
        )
        for formset in formsets:
            if formset.model is ArticleNote and (formset.new_objects or formset.changed_objects):
                changed = formset.new_objects + [obj for obj, _ in formset.changed_objects]
                action = ArticleRevision.Action.CORRECTED
                note = " ".join(f"{n.get_kind_display()}: {n.text}" for n in changed)
        move = getattr(form, "desk_move", None)
        if not move or action != ArticleRevision.Action.SAVED:
            # A plain save that moves the story is kept once, as the move.
            record_revision(form.instance, request.user, action, note)
        if move:
            # The Publishing fields moved the story: the same move as the buttons,
            # recorded, at the time the fields hold (a time ahead schedules it).
            workflow.transition(form.instance, request.user, move, when=form.instance.published_at)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def _move(self, request, queryset, action, done):
        """Take ``action`` on each selected story it applies to, each one
        written to that story's history."""
        moved = skipped = 0
        for article in queryset:
            if action not in workflow.available(article, request.user):
                skipped += 1
                continue
            workflow.transition(article, request.user, action)
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
        self._move(request, queryset, workflow.PUBLISH, "Published")

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
        settings_row = EditorialSettings.load()
        if settings_row._state.adding:
            return redirect("admin:articles_editorialsettings_add")
        return redirect("admin:articles_editorialsettings_change", settings_row.pk)


@admin.register(Pin)
class PinAdmin(admin.ModelAdmin):
    """The front pages: which story sits in which slot, until when."""

    list_display = ["page", "slot", "article", "expires_at", "is_live"]
    list_display_links = ["article"]
    list_editable = ["slot", "expires_at"]
    list_filter = [("category", admin.EmptyFieldListFilter), "category"]
    list_select_related = ["article", "category"]
    autocomplete_fields = ["article"]
    fields = ["category", "slot", "article", "expires_at"]

    @admin.display(description="Page", ordering="category__position")
    def page(self, pin):
        return pin.category.name if pin.category_id else "Home page"

    @admin.display(description="Live", boolean=True)
    def is_live(self, pin):
        return pin.expires_at is None or pin.expires_at > timezone.now()


@admin.register(Banner)
class BannerAdmin(admin.ModelAdmin):
    list_display = ["text", "level", "starts_at", "ends_at", "is_live"]
    list_filter = ["level"]
    actions = ["end_now"]

    @admin.action(description="End selected banners now", permissions=["change"])
    def end_now(self, request, queryset):
        for banner in queryset.live():
            banner.ends_at = timezone.now()
            banner.save(update_fields=["ends_at"])
        self.message_user(request, "The banners are gone from every page.", messages.SUCCESS)


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    list_display = ["article", "created_by", "created_at", "expires_at", "revoked_at", "is_usable"]
    list_select_related = ["article", "created_by"]
    fields = ["article", "created_by", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["article", "created_by", "created_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # made from the article's form, with its signed address

    @admin.action(description="Revoke selected preview links", permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} preview link(s).", messages.SUCCESS)
