from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import Truncator

from . import moderation
from .models import Comment, DiscussionSettings


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


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: pending comments first, newest first within each status."""

    list_display = [
        "excerpt",
        "author",
        "article",
        "status",
        "report_count",
        "created_at",
    ]
    list_filter = ["status", ReportedFilter, "created_at", "article"]
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
        "moderated_by",
        "moderated_at",
    ]
    fields = [
        "article",
        "parent",
        ("author_name", "email", "user"),
        "body",
        "status",
        ("created_at", "report_count"),
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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hold_reasons")

    @admin.display(description="Held for")
    def held_for(self, comment):
        return "; ".join(
            moderation.describe(reason.code, reason.evidence)
            for reason in comment.hold_reasons.all()
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
    ]

    def has_add_permission(self, request):
        return False  # there is one row, created on first save

    def has_delete_permission(self, request, obj=None):
        return False

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
