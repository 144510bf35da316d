from django.contrib import admin, messages
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.text import Truncator

from . import moderation, queue
from .models import Comment, DiscussionSettings, HoldReason


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
