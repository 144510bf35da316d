from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from . import audit, moderation, queue, sanctions, verification
from .models import Comment, DiscussionSettings, HoldReason, ModerationEvent, Sanction


class ReportedFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", "Reported by readers"), ("no", "Not reported")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        if self.value() == "no":
            return queryset.filter(report_count=0)
        return queryset


class HeldForFilter(admin.SimpleListFilter):
    title = "hold reason"
    parameter_name = "held_for"

    def lookups(self, request, model_admin):
        return HoldReason.Code.choices

    def queryset(self, request, queryset):
        if self.value() in HoldReason.Code.values:
            held = HoldReason.objects.filter(comment=OuterRef("pk"), code=self.value())
            return queryset.filter(Exists(held))
        return queryset


class ArticleSearchFilter(admin.SimpleListFilter):
    """By article, as a search box (headline words or slug): a list of every
    article would run for thousands of lines."""

    title = "article"
    parameter_name = "article"
    template = "admin/comments/article_search_filter.html"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.value():
            return queue.on_articles_matching(queryset, self.value())
        return queryset

    def choices(self, changelist):
        """One choice: the search, with the list's other parameters to keep."""
        kept = changelist.filter_params.items()
        yield {
            "value": self.value() or "",
            "kept": [
                (name, value)
                for name, values in kept
                if name != self.parameter_name
                for value in values
            ],
            "clear_query_string": changelist.get_query_string(remove=[self.parameter_name]),
        }


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Every comment, pending first; the moderation queue (``comments.queue``) is
    where moderators work through them."""

    # Status, reasons and reports before the long columns, so they stay on screen.
    list_display = [
        "excerpt",
        "status",
        "held_for",
        "reports",
        "author",
        "on_article",
        "age",
    ]
    list_filter = ["status", HeldForFilter, ReportedFilter, ArticleSearchFilter, "created_at"]
    search_fields = ["body", "author_name", "email", "user__username"]
    list_select_related = ["article", "user"]
    list_per_page = 50
    date_hierarchy = "created_at"
    readonly_fields = [
        "article",
        "parent",
        "user",
        "author_name",
        "email",
        "body",
        "created_at",
        "report_count",
        "recommend_count",
        "edited_at",
        "previous_texts",
        "moderated_by",
        "moderated_at",
    ]
    fields = [
        "article",
        "parent",
        ("author_name", "email", "user"),
        "body",
        ("edited_at", "previous_texts"),
        "status",
        ("created_at", "report_count", "recommend_count"),
        ("moderated_by", "moderated_at"),
    ]
    actions = ["approve", "reject", "mark_spam"]

    def get_ordering(self, request):
        pending_first = Case(
            When(status=Comment.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [pending_first.asc(), "-created_at"]

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    @admin.display(description="Before its author's edits")
    def previous_texts(self, comment):
        """What the comment said before each edit, newest first: its author's
        edits go through moderation again, and moderators judge them against it."""
        edits = comment.edits.all()
        if not edits:
            return "Not edited"
        return format_html(
            '<ol class="comment-edits">{}</ol>',
            format_html_join(
                "",
                "<li>Until {}: <q>{}</q></li>",
                ((naturaltime(edit.edited_at), edit.previous_body) for edit in edits),
            ),
        )

    @admin.display(description="Reports", ordering="report_count")
    def reports(self, comment):
        return comment.report_count

    @admin.display(description="Posted", ordering="created_at")
    def age(self, comment):
        return naturaltime(comment.created_at)

    @admin.display(description="Article", ordering="article__headline")
    def on_article(self, comment):
        return Truncator(comment.article.headline).chars(40)

    def get_urls(self):
        site = self.admin_site
        return [
            path("queue/", site.admin_view(self.queue_view), name="comments_comment_queue"),
            path(
                "queue/<int:pk>/decide/",
                site.admin_view(self.decide_view),
                name="comments_comment_queue_decide",
            ),
            path(
                "queue/decide/", site.admin_view(self.bulk_view), name="comments_comment_queue_bulk"
            ),
            *super().get_urls(),
        ]

    def queue_view(self, request):
        return queue.queue_view(request, self)

    def decide_view(self, request, pk):
        return queue.decide_view(request, self, pk)

    def bulk_view(self, request):
        return queue.bulk_view(request, self)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"queue_url": queue.queue_url(), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hold_reasons")

    @admin.display(description="Held for")
    def held_for(self, comment):
        """Each reason's name, with its words (the evidence) on hover."""
        return format_html_join(
            ", ",
            '<span title="{}">{}</span>',
            (
                (moderation.describe(reason.code, reason.evidence), reason.get_code_display())
                for reason in comment.hold_reasons.all()
            ),
        )

    @admin.display(description="Author", ordering="author_name")
    def author(self, comment):
        return comment.display_name

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            moderation.decide(Comment.objects.filter(pk=obj.pk), obj.status, request.user)
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)

    def _moderate(self, request, queryset, status, verb):
        count = len(moderation.decide(queryset, status, request.user))
        self.message_user(request, f"{verb} {count} comment(s).", messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["moderate"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, "Approved")

    @admin.action(description="Reject selected comments", permissions=["moderate"])
    def reject(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REJECTED, "Rejected")

    @admin.action(description="Mark selected comments as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, "Marked as spam")


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    """The comment policy: one page, the settings' change form, with its history.

    Saving applies at once on every worker (``comments.moderation.policy``)."""

    fieldsets = [
        ("Moderation", {"fields": ["moderation_mode", "close_after_days"]}),
        (
            "What holds a comment for a moderator",
            {
                "fields": [
                    "links_allowed",
                    "blocked_terms",
                    "suspect_terms",
                    "hold_first_comments",
                    "report_threshold",
                ]
            },
        ),
        (
            "Rate limits",
            {
                "fields": [
                    "comments_per_reader",
                    "comments_per_address",
                    "rate_window_minutes",
                    "min_seconds_to_post",
                ],
                "description": "Comments past a limit are refused with the time to try again; "
                "the reader's text is kept.",
            },
        ),
        (
            "Email notifications",
            {
                "fields": ["notify_authors", "notification_batch_minutes"],
                "description": "Readers who ask are emailed replies to their comments, or every "
                "new comment on a discussion they follow, once they have confirmed their "
                "address. manage.py send_notifications sends them.",
            },
        ),
    ]

    def has_add_permission(self, request):
        return False  # there is one row, created on first save

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with transaction.atomic():  # the change and its entry in the audit trail
            super().save_model(request, obj, form, change)
            audit.record_settings_change(request.user, form, obj)

    def get_object(self, request, object_id, from_field=None):
        if str(object_id) != str(DiscussionSettings.SINGLETON):
            return None
        return DiscussionSettings.load()

    def changelist_view(self, request, extra_context=None):
        """No list of one: the change form is the page."""
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # refuses
        url = reverse(
            "admin:comments_discussionsettings_change", args=[DiscussionSettings.SINGLETON]
        )
        return redirect(url)


# --- Sanctions and the audit trail -------------------------------------------


class ActiveFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "In force"), ("no", "Ended, lifted or acknowledged")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(sanctions.active())
        if self.value() == "no":
            return queryset.exclude(sanctions.active())
        return queryset


class SanctionForm(forms.ModelForm):
    """A new sanction: on the author of a comment, on an account, or on a
    verified email address."""

    reject_all = forms.BooleanField(
        label="Also reject all their comments",
        required=False,
        help_text="Every comment of theirs that readers can see or that waits for a "
        "moderator is rejected, and each author with an email is told why.",
    )

    class Meta:
        model = Sanction
        fields = ["kind", "reason", "message", "until", "comment", "user", "email"]
        help_texts = {
            "comment": "The comment that led to it. Without an account or an email below, "
            "the sanction applies to this comment's author: their account, their verified "
            "email, else their network address.",
            "user": "A reader's account.",
            "email": "An address the author verified; anonymous commenters are matched by "
            "it only once they have.",
        }

    def clean_email(self):
        return verification.normalised(self.cleaned_data.get("email"))

    def clean(self):
        data = super().clean()
        if not (data.get("comment") or data.get("user") or data.get("email")):
            raise forms.ValidationError(
                "Say whom the sanction is for: a comment of theirs, an account or an email."
            )
        comment = data.get("comment")
        by_comment = comment and not (data.get("user") or data.get("email"))
        if by_comment and not any(sanctions.subject_of(comment).values()):
            self.add_error("comment", "This comment has no account, email or address to go by.")
        until = data.get("until")
        if data.get("kind") == Sanction.Kind.SUSPEND and until is None:
            self.add_error("until", "A suspension needs the date it ends.")
        if until is not None and until <= timezone.now():
            self.add_error("until", "This date has passed; choose one in the future.")
        return data


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    """Sanctions on authors, newest first: made through ``sanctions.impose``,
    ended with the "lift" action, never edited or deleted (they are the
    author's history)."""

    form = SanctionForm
    list_display = [
        "kind",
        "subject_link",
        "reason",
        "until",
        "is_in_force",
        "created_by",
        "created_at",
        "lifted_at",
    ]
    list_filter = ["kind", ActiveFilter, "reason"]
    list_select_related = ["user", "created_by"]
    search_fields = ["email", "user__username", "message"]
    raw_id_fields = ["comment", "user"]
    actions = ["lift"]
    readonly_fields = ["history"]
    SUBJECT_LOOKUPS = {"user__id__exact", "email", "network"}

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*SanctionForm.Meta.fields, "reject_all"]
        return [
            "kind",
            "history",
            "reason",
            "message",
            "until",
            "comment",
            ("created_by", "created_at"),
            "acknowledged_at",
            ("lifted_by", "lifted_at"),
        ]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # the list's action

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.SUBJECT_LOOKUPS or super().lookup_allowed(lookup, value, request)

    @staticmethod
    def subject_query(sanction):
        if sanction.user_id:
            return {"user__id__exact": sanction.user_id}
        if sanction.email:
            return {"email": sanction.email}
        return {"network": sanction.network}

    def author_url(self, sanction):
        """The list of every sanction on the same author."""
        url = reverse("admin:comments_sanction_changelist")
        return f"{url}?{urlencode(self.subject_query(sanction))}"

    @admin.display(description="Author")
    def subject_link(self, sanction):
        return format_html(
            '<a href="{}" title="Every sanction of this author">{}</a>',
            self.author_url(sanction),
            sanction.subject,
        )

    @admin.display(description="History")
    def history(self, sanction):
        return format_html(
            '{}: <a href="{}">every sanction of this author</a>',
            sanction.subject,
            self.author_url(sanction),
        )

    @admin.display(description="In force", boolean=True)
    def is_in_force(self, sanction):
        return sanctions.is_active(sanction)

    def save_model(self, request, obj, form, change):
        if change:
            return  # sanctions are not edited; lift one and impose another
        subject = None
        if obj.user_id:
            subject = {"user_id": obj.user_id}
        elif obj.email:
            subject = {"email": obj.email}
        sanction = sanctions.impose(
            obj.comment,
            obj.kind,
            request.user,
            obj.reason,
            obj.message,
            obj.until,
            reject_all=form.cleaned_data["reject_all"],
            subject=subject,
        )
        obj.pk = sanction.pk
        obj.refresh_from_db()

    @admin.action(description="Lift the selected sanctions", permissions=["change"])
    def lift(self, request, queryset):
        count = sanctions.lift(queryset, request.user)
        self.message_user(request, f"Lifted {count} sanction(s).", messages.SUCCESS)


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    """The audit trail: every decision, sanction, lift and settings change, with
    who, when and why. Read only."""

    list_display = [
        "at",
        "actor",
        "action",
        "comment_link",
        "sanction_link",
        "reason",
        "explanation",
        "detail",
    ]
    list_filter = ["action", "reason", ("actor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["actor", "comment", "sanction"]
    date_hierarchy = "at"
    search_fields = ["explanation", "detail"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Comment")
    def comment_link(self, event):
        if event.comment is None:
            return ""
        url = reverse("admin:comments_comment_change", args=[event.comment_id])
        excerpt = Truncator(event.comment.body).chars(60)
        return format_html('<a href="{}">#{} {}</a>', url, event.comment_id, excerpt)

    @admin.display(description="Sanction")
    def sanction_link(self, event):
        if event.sanction is None:
            return ""
        url = reverse("admin:comments_sanction_change", args=[event.sanction_id])
        return format_html('<a href="{}">{}</a>', url, event.sanction.get_kind_display())
