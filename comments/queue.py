"""
The moderation queue: one card per comment, with what held it highlighted in
its text, the article and the comment it answers, its author's record and its
reports, and a decision per click or keystroke.

Pages of the admin, hooked in by ``CommentAdmin.get_urls``. This module only
chooses what to show and asks the policy: every decision is taken by
``moderation.decide``, ``moderation.pick`` or ``sanctions.impose``.

One endpoint, two clients: a card's decision posted by htmx gets the card's
result to swap in; a plain form post is sent back to the same tab, filters and
page with a message. Bad input is answered with the card (or the page) again,
its error shown and what was typed kept.

The pending tab is oldest first: the reader who has waited longest is answered
first, and comments arriving while a moderator works join the end of the queue
instead of pushing the card they are on down the page.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, TextChoices, Value
from django.db.models.functions import Cast
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from . import moderation, sanctions
from .forms import parse_id
from .models import (
    Comment,
    CommentReport,
    DecisionReason,
    HoldReason,
    ModerationEvent,
    Sanction,
)

PAGE_SIZE = 25
DECIDED_DAYS = 7
MOST_AT_ONCE = 200  # comments one bulk decision may name
MODERATE = "comments.moderate_comment"
INVALID = 422  # htmx swaps it (the htmx-config meta tag): the card shows its error

Status = Comment.Status
Code = HoldReason.Code


class Tab(TextChoices):
    PENDING = "pending", "Pending"
    REPORTED = "reported", "Reported"
    PICKED = "picked", "Picked"
    DECIDED = "decided", "Recently decided"


class Decision(TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    SPAM = "spam", "Spam"
    PICK = "pick", "Pick"
    UNPICK = "unpick", "Unpick"
    BAN = "ban", "Ban author"


STATUS_OF = {
    Decision.APPROVE: Status.APPROVED,
    Decision.REJECT: Status.REJECTED,
    Decision.SPAM: Status.SPAM,
}
DECIDED_ACTIONS = [moderation.DECISIONS[status] for status in STATUS_OF.values()]

# The reason a rejection most likely has, from what readers reported or what held it.
REPORTED_AS = {
    CommentReport.Reason.SPAM: DecisionReason.SPAM,
    CommentReport.Reason.ABUSE: DecisionReason.ABUSE,
    CommentReport.Reason.OFF_TOPIC: DecisionReason.OFF_TOPIC,
    CommentReport.Reason.ILLEGAL: DecisionReason.ILLEGAL,
}
HELD_AS = {
    Code.DUPLICATE: DecisionReason.DUPLICATE,
    Code.LINKS: DecisionReason.SPAM,
    Code.BLOCKED_TERM: DecisionReason.ABUSE,
}


# Filters


class QueueFilters(forms.Form):
    """Which tab, reason, article and page: from the query string. A value that is
    not valid is shown as an error and left out, never a failure."""

    tab = forms.ChoiceField(choices=Tab.choices, required=False)
    reason = forms.ChoiceField(
        label="Held for", choices=[("", "Any reason"), *Code.choices], required=False
    )
    article = forms.CharField(
        label="Article",
        max_length=200,
        required=False,
        help_text="Words from the headline, or the article's slug.",
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    DEFAULTS = {"tab": Tab.PENDING, "reason": "", "article": "", "page": 1}

    @cached_property
    def state(self):
        """The values given, with the defaults standing in for missing or invalid ones."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})  # without the fields in error
        return {name: cleaned.get(name) or default for name, default in self.DEFAULTS.items()}

    def query(self, **changes):
        """The query string of this view of the queue, with ``changes``; defaults left out."""
        values = self.state | changes
        return urlencode(
            {
                name: value
                for name, value in values.items()
                if value and value != self.DEFAULTS.get(name)
            }
        )

    @property
    def narrowed(self):
        return bool(self.state["reason"] or self.state["article"])

    def comments(self):
        """Every comment the reason and article filters let through."""
        comments = Comment.objects.all()
        if self.state["reason"]:
            comments = comments.filter(
                Exists(HoldReason.objects.filter(comment=OuterRef("pk"), code=self.state["reason"]))
            )
        if self.state["article"]:
            comments = on_articles_matching(comments, self.state["article"])
        return comments


def on_articles_matching(comments, text):
    """Comments on articles whose headline contains ``text``, or whose slug it is:
    the search that stands in for a list of every article."""
    text = text.strip()
    return comments.filter(Q(article__headline__icontains=text) | Q(article__slug=text.lower()))


def tab_selections(filters):
    """What each tab lists, in its order; the decided tab lists decisions."""
    comments = filters.comments()
    decisions = ModerationEvent.objects.filter(action__in=DECIDED_ACTIONS)
    # A comment's latest decision: one card per comment, showing where it stands.
    decided = decisions.filter(
        ~Exists(decisions.filter(comment=OuterRef("comment"), pk__gt=OuterRef("pk"))),
        at__gte=timezone.now() - timedelta(days=DECIDED_DAYS),
        comment__isnull=False,
    )
    if filters.narrowed:
        decided = decided.filter(comment__in=comments.values("pk"))
    return {
        Tab.PENDING: comments.filter(status=Status.PENDING).order_by("created_at", "pk"),
        # Approving clears reports, so reports on a shown or waiting comment came
        # after any decision; on a removed one they were answered by it.
        Tab.REPORTED: comments.filter(
            report_count__gt=0, status__in=[Status.PENDING, Status.APPROVED]
        ).order_by("-report_count", "created_at", "pk"),
        Tab.PICKED: comments.filter(picked_at__isnull=False).order_by("-picked_at", "-pk"),
        Tab.DECIDED: decided.order_by("-at", "-pk"),
    }


def open_reports():
    return Prefetch(
        "reports",
        queryset=CommentReport.objects.filter(cleared_at__isnull=True).order_by("created_at"),
        to_attr="open_reports",
    )


def with_card_data(selection, tab):
    """The selection with everything a card shows, in a constant number of queries."""
    if tab == Tab.DECIDED:
        return selection.select_related(
            "actor",
            "comment__article",
            "comment__user",
            "comment__parent__user",
            "comment__picked_by",
        ).prefetch_related("comment__hold_reasons", "comment__edits", open_reports_of_events())
    return selection.select_related(
        "article", "user", "parent__user", "picked_by"
    ).prefetch_related("hold_reasons", "edits", open_reports())


def open_reports_of_events():
    reports = open_reports()
    reports.add_prefix("comment")
    return reports


# Cards


def highlighted(text, terms=(), links=False):
    """``text`` escaped, with each of ``terms`` (as whole words, in any case) and,
    with ``links``, each web address in ``<mark>``; line breaks kept."""
    spans = []
    for term in terms:
        spans += [match.span() for match in moderation.term_pattern(term).finditer(text)]
    if links:
        spans += [match.span() for match in moderation.LINK.finditer(text)]
    marks = []
    for start, end in sorted(spans):
        if marks and start <= marks[-1][1]:  # overlaps or touches the last mark: one mark
            marks[-1][1] = max(marks[-1][1], end)
        else:
            marks.append([start, end])
    html, position = [], 0
    for start, end in marks:
        html += [escape(text[position:start]), f"<mark>{escape(text[start:end])}</mark>"]
        position = end
    html.append(escape(text[position:]))
    return mark_safe("".join(html).replace("\r\n", "\n").replace("\n", "<br>"))


@dataclass(frozen=True)
class History:
    """An author's record: by account when signed in, else by network address."""

    by: str
    approved: int = 0
    removed: int = 0
    sanctions: int = 0


def author_of(comment):
    if comment.user_id:
        return ("account", str(comment.user_id))
    if comment.network_key:  # the network as sanctions know it, the same on any day
        return ("network", comment.network_key)
    return None


def histories(comments):
    """The record of each of these comments' authors, in one query: per account
    and per network, their approved and removed comments and their sanctions."""
    authors = set(filter(None, map(author_of, comments)))
    accounts = {who for by, who in authors if by == "account"}
    networks = {who for by, who in authors if by == "network"}
    decided = {
        "approved": Count("pk", filter=Q(status=Status.APPROVED)),
        "removed": Count("pk", filter=Q(status__in=[Status.REJECTED, Status.SPAM])),
        "sanctions": Value(0),
    }
    sanctioned = {"approved": Value(0), "removed": Value(0), "sanctions": Count("pk")}
    parts = []
    for model, counts in ((Comment, decided), (Sanction, sanctioned)):
        if accounts:
            parts.append(
                model.objects.filter(user_id__in=accounts)
                .values(by=Value("account"), who=Cast("user_id", CharField()))
                .annotate(**counts)
                .order_by()
            )
        if networks:
            field = "network" if model is Sanction else "network_key"
            by_network = {"user__isnull": True} if model is Sanction else {}
            parts.append(
                model.objects.filter(**{f"{field}__in": networks}, **by_network)
                .values(by=Value("network"), who=F(field))
                .annotate(**counts)
                .order_by()
            )
    records = {key: History(by=key[0]) for key in authors}
    if parts:
        for row in parts[0].union(*parts[1:], all=True):
            key = (row["by"], str(row["who"]))
            before = records.get(key, History(by=row["by"]))
            records[key] = History(
                by=row["by"],
                approved=before.approved + row["approved"],
                removed=before.removed + row["removed"],
                sanctions=before.sanctions + row["sanctions"],
            )
    return records


def suggested_reason(comment):
    """What a rejection of this comment most likely says: what readers reported
    it for, else what held it; blank when nothing says."""
    reported = Counter(report.reason for report in comment.open_reports)
    if reported:
        return REPORTED_AS[reported.most_common(1)[0][0]]
    for reason in comment.hold_reasons.all():
        if reason.code in HELD_AS:
            return HELD_AS[reason.code]
    return ""


@dataclass
class Card:
    comment: Comment
    form: "DecisionForm"
    history: History | None
    event: ModerationEvent | None = None

    @property
    def pk(self):
        return self.comment.pk

    @cached_property
    def _evidence(self):
        terms = {"text": [], "name": []}
        links = False
        for reason in self.comment.hold_reasons.all():
            evidence = reason.evidence or {}
            if reason.code in (Code.BLOCKED_TERM, Code.SUSPECT_TERM) and evidence.get("term"):
                terms[evidence.get("where", "text")].append(evidence["term"])
            links = links or reason.code == Code.LINKS
        return terms, links

    @property
    def text(self):
        terms, links = self._evidence
        return highlighted(self.comment.body, terms.get("text", ()), links)

    @property
    def name(self):
        terms, _links = self._evidence
        return highlighted(self.comment.display_name, terms.get("name", ()))

    @property
    def badges(self):
        return [
            {
                "code": reason.code,
                "label": reason.get_code_display(),
                "words": moderation.describe(reason.code, reason.evidence),
            }
            for reason in self.comment.hold_reasons.all()
        ]

    @property
    def reports(self):
        return self.comment.open_reports

    @property
    def report_summary(self):
        counts = Counter(report.get_reason_display() for report in self.reports)
        return [{"reason": reason, "count": count} for reason, count in counts.most_common()]

    @property
    def parent_excerpt(self):
        parent = self.comment.parent
        return Truncator(parent.body).chars(280) if parent else ""


def cards(rows, tab, forms_by_pk=None):
    """A card for each row (a comment, or a decision in the decided tab)."""
    forms_by_pk = forms_by_pk or {}
    events = rows if tab == Tab.DECIDED else [None] * len(rows)
    comments = [event.comment for event in rows] if tab == Tab.DECIDED else rows
    records = histories(comments)
    return [
        Card(
            comment=comment,
            event=event,
            history=records.get(author_of(comment)),
            form=forms_by_pk.get(comment.pk) or DecisionForm.for_comment(comment, event),
        )
        for comment, event in zip(comments, events, strict=True)
    ]


# Decisions


class DecisionForm(forms.Form):
    """One decision: approving says the comment is within the rules, spam says
    spam; a rejection or a ban says why with the reason chosen."""

    decision = forms.ChoiceField(choices=Decision.choices)
    reason = forms.ChoiceField(
        label="Reason to reject or ban",
        choices=[("", "Not given")]
        + [choice for choice in DecisionReason.choices if choice[0] != DecisionReason.WITHIN_RULES],
        required=False,
    )
    explanation = forms.CharField(
        label="Note",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text="Kept with the decision; for a ban, shown to the author.",
    )

    def __init__(self, *args, pk=None, **kwargs):
        kwargs.setdefault("auto_id", f"queue-{pk}-%s" if pk else "queue-%s")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_comment(cls, comment, event=None):
        reason = event.reason if event and event.action != "approve" else ""
        return cls(pk=comment.pk, initial={"reason": reason or suggested_reason(comment)})

    def clean(self):
        data = super().clean()
        decision, reason = data.get("decision"), data.get("reason")
        if decision == Decision.BAN and not reason and "reason" not in self.errors:
            self.add_error("reason", "Choose why the author is banned: they are told.")
        if (
            decision in (Decision.REJECT, Decision.BAN)
            and reason == DecisionReason.OTHER
            and not data.get("explanation")
        ):
            self.add_error("explanation", "Say why in the note: the reason is “Other”.")
        return data

    @property
    def reason_for_decision(self):
        decision = self.cleaned_data["decision"]
        if decision in (Decision.APPROVE, Decision.PICK):
            return DecisionReason.WITHIN_RULES
        if decision == Decision.SPAM:
            return DecisionReason.SPAM
        return self.cleaned_data["reason"]


class SelectionField(forms.Field):
    """The ids of the comments checked on the page."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": "Tick the comments to decide on first."}

    def to_python(self, value):
        ids = [parse_id(item) for item in value or []]
        if None in ids:
            raise forms.ValidationError("Some of the comments ticked are not in the queue.")
        if len(ids) > MOST_AT_ONCE:
            raise forms.ValidationError(f"Decide on at most {MOST_AT_ONCE} comments at once.")
        return ids


class BulkDecisionForm(DecisionForm):
    decision = forms.ChoiceField(
        label="Decision for the ticked comments",
        choices=[(d.value, d.label) for d in STATUS_OF],
    )
    selected = SelectionField()


@dataclass
class Outcome:
    """What a decision did, in words for the moderator."""

    words: str
    also_rejected: list = field(default_factory=list)


def take(decision, comment, moderator, reason, explanation):
    """Take one card's decision through the policy's own functions."""
    if decision in STATUS_OF:
        changed = moderation.decide(
            Comment.objects.filter(pk=comment.pk),
            STATUS_OF[decision],
            moderator,
            reason,
            explanation,
        )
        verb = moderation.DECISIONS[STATUS_OF[decision]].label
        if changed:
            return Outcome(verb)
        if decision == Decision.APPROVE and comment.report_count:
            return Outcome("Kept, its reports cleared")
        return Outcome(f"Already {verb.lower()}")
    if decision == Decision.PICK:
        words = "Picked"
        if not comment.is_visible():  # a pick is shown above the thread: approve it first
            moderation.decide(
                Comment.objects.filter(pk=comment.pk), Status.APPROVED, moderator, reason
            )
            comment.status, words = Status.APPROVED, "Approved and picked"
        moderation.pick(comment, moderator)
        return Outcome(words)
    if decision == Decision.UNPICK:
        moderation.pick(comment, moderator, picked=False)
        return Outcome("Unpicked")
    subject = sanctions.subject_of(comment)
    if not any(subject.values()):
        raise ValueError("This comment has no account or network address to ban.")
    others = list(
        sanctions.comments_by(subject)
        .filter(status__in=[Status.APPROVED, Status.PENDING])
        .exclude(pk=comment.pk)
        .values_list("pk", flat=True)[: PAGE_SIZE * 2]
    )
    sanctions.impose(
        comment, Sanction.Kind.BAN, moderator, reason, message=explanation, reject_all=True
    )
    count = len(others)
    more = f"; {count} more of their comments rejected" if count else ""
    return Outcome(f"Author banned, comment rejected{more}", also_rejected=others)


# Views


def queue_url(query=""):
    url = reverse("admin:comments_comment_queue")
    return f"{url}?{query}" if query else url


def _filters_posted(request):
    """The view of the queue a decision was taken from (tab, filters, page)."""
    return QueueFilters(QueryDict(request.POST.get("return_to", "")))


def _tab_links(filters, selections):
    """Each tab, with how many it lists and the address of its first page."""
    return [
        {
            "value": value,
            "label": label,
            "count": selections[value].count(),
            "query": filters.query(tab=value, page=1),
        }
        for value, label in Tab.choices
    ]


def queue_view(request, model_admin, filters=None, forms_by_pk=None, bulk_form=None, status=200):
    """The queue page: tabs with their counts, the filters, a page of cards."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    filters = filters or QueueFilters(request.GET)
    selections = tab_selections(filters)
    tabs = _tab_links(filters, selections)
    tab = filters.state["tab"]
    total = next(link["count"] for link in tabs if link["value"] == tab)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.state["page"], pages)
    start = (page - 1) * PAGE_SIZE
    rows = list(with_card_data(selections[tab], tab)[start : start + PAGE_SIZE])
    bulk_form = bulk_form or BulkDecisionForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Moderation queue",
        "filters": filters,
        "tab": tab,
        "tabs": tabs,
        "cards": cards(rows, tab, forms_by_pk),
        "can_moderate": request.user.has_perm(MODERATE),
        "bulk_form": bulk_form,
        "ticked": set(map(parse_id, bulk_form.data.getlist("selected"))) if bulk_form.data else (),
        "return_to": filters.query(page=page),
        "page": page,
        "pages": pages,
        "first_shown": start + 1,
        "last_shown": start + len(rows),
        "total": total,
        "previous_query": filters.query(page=page - 1) if page > 1 else None,
        "next_query": filters.query(page=page + 1) if page < pages else None,
        "decided_days": DECIDED_DAYS,
    }
    return TemplateResponse(request, "admin/comments/queue.html", context, status=status)


def _card_rows():
    return Comment.objects.select_related("article", "user", "parent__user", "picked_by")


@require_POST
@vary_on_headers("HX-Request")
def decide_view(request, model_admin, pk):
    """One card's decision: approve, reject, spam, pick, unpick or ban its author."""
    if not request.user.has_perm(MODERATE):
        raise PermissionDenied
    comment = get_object_or_404(
        _card_rows().prefetch_related("hold_reasons", open_reports()), pk=pk
    )
    form = DecisionForm(request.POST, pk=pk)
    filters = _filters_posted(request)
    if form.is_valid():
        try:
            outcome = take(
                form.cleaned_data["decision"],
                comment,
                request.user,
                form.reason_for_decision,
                form.cleaned_data["explanation"],
            )
        except ValueError as refused:
            form.add_error(None, str(refused))
    if not form.is_valid():
        if not request.htmx:
            return queue_view(request, model_admin, filters, forms_by_pk={pk: form}, status=INVALID)
        context = {
            "card": cards([comment], Tab.PENDING, {pk: form})[0],
            "can_moderate": True,
            "return_to": filters.query(),
        }
        return TemplateResponse(request, "admin/comments/_queue_card.html", context, status=INVALID)

    message = f"{outcome.words}: the comment by {comment.display_name or 'an anonymous reader'}."
    if not request.htmx:
        messages.success(request, message)
        return redirect(queue_url(filters.query()))
    decided = _card_rows()
    context = {
        "comment": decided.get(pk=pk),
        "words": outcome.words,
        "message": message,
        "reason": form.cleaned_data["reason"],
        "return_to": filters.query(),
        "also_rejected": decided.filter(pk__in=outcome.also_rejected)
        if outcome.also_rejected
        else (),
        "tabs": _tab_links(filters, tab_selections(filters)),
        "tab": filters.state["tab"],
    }
    return TemplateResponse(request, "admin/comments/_queue_result.html", context)


@require_POST
def bulk_view(request, model_admin):
    """One decision for the comments ticked on the page: a plain form."""
    if not request.user.has_perm(MODERATE):
        raise PermissionDenied
    form = BulkDecisionForm(request.POST)
    filters = _filters_posted(request)
    if not form.is_valid():
        return queue_view(request, model_admin, filters, bulk_form=form, status=INVALID)
    decision = form.cleaned_data["decision"]
    changed = moderation.decide(
        Comment.objects.filter(pk__in=form.cleaned_data["selected"]),
        STATUS_OF[decision],
        request.user,
        form.reason_for_decision,
        form.cleaned_data["explanation"],
    )
    verb = moderation.DECISIONS[STATUS_OF[decision]].label
    count = len(changed)
    messages.success(request, f"{verb}: {count} comment{'s' if count != 1 else ''}.")
    return redirect(queue_url(filters.query()))
