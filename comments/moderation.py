"""
The comment policy, in one place: may a comment be posted here and now, and
what status does a new comment get. Each rule is a small function with its own
test; the views and the form only ask.

The values the rules apply (moderation mode, links allowed, blocked terms,
limits) are the newsroom's Discussion settings, edited in the admin and read
through ``policy()``. Rules that need them take ``rules``, the settings a
request already read; without it they read them themselves.

A poster or reporter is told apart two ways: as a reader (their address and
User-Agent, hashed) and as a network (their address alone, an IPv6 /64 as one,
hashed). A new User-Agent makes a new reader but not a new network, so the rate
limit, the duplicate check and reports also hold per network.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from articles import caching

from . import notifications, statements
from .models import (
    Comment,
    CommentReport,
    DecisionReason,
    DiscussionSettings,
    HoldReason,
    ModerationEvent,
    Sanction,
)
from .threads import thread_changed

# A web address, whole: counted for the links rule and marked in the queue.
LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)


def policy(request=None):
    """The Discussion settings in force, the same on every worker.

    Kept in the shared cache under the site's content version, which saving the
    settings moves on, so a change applies to the next request everywhere. With
    a request, the version is the one the request already read.
    """
    return caching.cached(
        caching.fragment_key("discussion-settings", request=request),
        DiscussionSettings.load,
        request,
    )


def thread_is_closed(article, now=None, rules=None):
    """Closed by the editor, or automatically some days after publication."""
    if not article.comments_open:
        return True
    closing = closes_at(article, rules)
    return closing is not None and (now or timezone.now()) >= closing


def closes_at(article, rules=None):
    if not (article.comments_open and article.published_at):
        return None
    days = (rules or policy()).close_after_days
    return article.published_at + timedelta(days=days) if days else None


@dataclass(frozen=True)
class RateLimited:
    retry_at: datetime
    by_network: bool = False  # the network's allowance ran out, not the reader's own

    @property
    def retry_after_seconds(self):
        return max(1, int((self.retry_at - timezone.now()).total_seconds()) + 1)


def rate_limit(reader, network="", now=None, rules=None):
    """``RateLimited`` when the reader, or their network, has posted its allowance
    within the window.

    Counted in the database, so the limit holds across every worker process.
    """
    rules = rules or policy()
    now = now or timezone.now()
    window = timedelta(minutes=rules.rate_window_minutes)
    limits = [(False, {"reader": reader}, rules.comments_per_reader)]
    if network and rules.comments_per_address:
        limits.append((True, {"network": network}, rules.comments_per_address))
    # The oldest of the last ``allowance`` comments, where there are that many:
    # the window frees a place when it has passed.
    full = [
        (created_at + window, by_network)
        for by_network, poster, allowance in limits
        for created_at in Comment.objects.filter(**poster, created_at__gt=now - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[allowance - 1 : allowance]
    ]
    if not full:
        return None
    retry_at, by_network = max(full)
    return RateLimited(retry_at=retry_at, by_network=by_network)


def moderation_mode(article, rules=None):
    return article.comment_moderation or (rules or policy()).moderation_mode


def link_count(body):
    return len(LINK.findall(body))


def too_many_links(body, rules=None):
    return link_count(body) > (rules or policy()).links_allowed


def term_pattern(term):
    """What containing ``term`` means: as a whole word or phrase, in any case."""
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)


def find_term(terms, text):
    """The first of ``terms`` that ``text`` contains (``term_pattern``)."""
    for term in terms:
        if term_pattern(term).search(text):
            return term
    return None


def blocked_word(text, rules=None):
    return find_term((rules or policy()).blocked_term_list, text)


def term_evidence(terms, comment):
    """Which of ``terms`` the comment contains, and where: in its name or its text."""
    for where, text in (("name", comment.author_name), ("text", comment.body)):
        term = find_term(terms, text or "")
        if term:
            return {"term": term, "where": where}
    return None


def is_repeat(comment, now=None):
    """The same text from the same reader, or the same network, within a few minutes."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.NEWSROOM_COMMENT_DUPLICATE_MINUTES)
    # A reader is an address and a User-Agent, so their network covers them.
    poster = {"network": comment.network} if comment.network else {"reader": comment.reader}
    return Comment.objects.filter(**poster, body=comment.body, created_at__gt=since).exists()


def is_first_comment(comment):
    """No comment by this author was approved yet: by account when signed in, else
    by the email they gave, else by their browser and address."""
    if comment.user_id:
        author = {"user_id": comment.user_id}
    elif comment.email:
        author = {"email__iexact": comment.email}
    else:
        author = {"reader": comment.reader}
    return not Comment.objects.visible().filter(**author).exists()


def busy_network(comment, now=None, rules=None):
    """The comment's network has used more than half its allowance in the window:
    one person rotating browsers looks like this. Returns the count and limit."""
    rules = rules or policy()
    allowance = rules.comments_per_address
    if not (comment.network and allowance):
        return None
    now = now or timezone.now()
    since = now - timedelta(minutes=rules.rate_window_minutes)
    posted = Comment.objects.filter(network=comment.network, created_at__gt=since).count()
    if posted * 2 > allowance:
        return {"posted": posted, "limit": allowance, "minutes": rules.rate_window_minutes}
    return None


Code = HoldReason.Code


def hold_reasons(comment, article, rules=None, sanction=None):
    """Every rule that holds this new comment for a moderator, as ``(code,
    evidence)`` pairs: none means it is published at once."""
    rules = rules or policy()
    reasons = content_reasons(comment, article, rules, sanction)
    if is_repeat(comment):
        reasons.append((Code.DUPLICATE, {}))
    busy = busy_network(comment, rules=rules)
    if busy:
        reasons.append((Code.RATE, busy))
    if rules.hold_first_comments and is_first_comment(comment):
        reasons.append((Code.FIRST_COMMENT, {}))
    return reasons + moderation_mode_reasons(article, rules)


def content_reasons(comment, article, rules, sanction=None):
    """The rules on what a comment says and who says it, which an edit goes through
    again: links, blocked and suspect terms, a pre-moderation sanction. Not the
    rules on posting (repeats, rate, first comment), which an edit is not."""
    reasons = []
    if sanction is not None and sanction.kind == Sanction.Kind.PREMODERATE:
        reasons.append((Code.SANCTIONED, {"sanction": sanction.pk}))
    links = link_count(comment.body)
    if links > rules.links_allowed:
        reasons.append((Code.LINKS, {"links": links, "limit": rules.links_allowed}))
    for code, terms in (
        (Code.BLOCKED_TERM, rules.blocked_term_list),
        (Code.SUSPECT_TERM, rules.suspect_term_list),
    ):
        found = term_evidence(terms, comment)
        if found:
            reasons.append((code, found))
    return reasons


def moderation_mode_reasons(article, rules):
    if article.comment_moderation == "pre":
        return [(Code.PRE_ARTICLE, {})]
    if moderation_mode(article, rules) == "pre":
        return [(Code.PRE_SITE, {})]
    return []


def edit_reasons(comment, article, rules=None, sanction=None):
    """Every rule that holds an edited comment for a moderator again: what it now
    says (``content_reasons``) and a pre-moderated site or article. An edit held
    hides the comment until a moderator approves it: readers never see text no
    moderator would have let through, nor the text its author withdrew."""
    rules = rules or policy()
    return content_reasons(comment, article, rules, sanction) + moderation_mode_reasons(
        article, rules
    )


def initial_status(comment, article, rules=None, sanction=None):
    """The status a new comment gets, and the reasons it is held if it is."""
    reasons = hold_reasons(comment, article, rules, sanction)
    return (Comment.Status.PENDING if reasons else Comment.Status.APPROVED), reasons


def save_hold_reasons(comment, reasons):
    HoldReason.objects.bulk_create(
        HoldReason(comment=comment, code=code, evidence=evidence) for code, evidence in reasons
    )


def describe(code, evidence):
    """A hold reason in words, for moderators: the evidence included."""
    evidence = evidence or {}
    match code:
        case Code.LINKS:
            return f"{evidence.get('links')} links; {evidence.get('limit')} allowed"
        case Code.BLOCKED_TERM | Code.SUSPECT_TERM:
            kind = "Blocked" if code == Code.BLOCKED_TERM else "Suspect"
            return f"{kind} term “{evidence.get('term')}” in the {evidence.get('where', 'text')}"
        case Code.RATE:
            return (
                f"{evidence.get('posted')} comments from this address in "
                f"{evidence.get('minutes')} minutes; {evidence.get('limit')} allowed"
            )
        case Code.REPORTS:
            return f"Hidden by {evidence.get('reports')} reports"
        case Code.DUPLICATE:
            return "The same text again from the same reader or address"
        case Code.FIRST_COMMENT:
            return "The author's first comment"
        case Code.PRE_SITE:
            return "Every comment on the site is pre-moderated"
        case Code.PRE_ARTICLE:
            return "Every comment on this article is pre-moderated"
        case Code.SANCTIONED:
            return "The author is under an \u201calways pre-moderate\u201d sanction"
    return HoldReason.Code(code).label if code in Code.values else code


# What the commenter is told, per reason: never which term or limit it was.
READER_MESSAGES = {
    Code.LINKS: "Comments with links are reviewed before they appear.",
    Code.BLOCKED_TERM: "Some words are reviewed by a moderator before they appear.",
    Code.SUSPECT_TERM: "Some words are reviewed by a moderator before they appear.",
    Code.DUPLICATE: "You posted the same text a moment ago; a moderator will check it.",
    Code.RATE: "Many comments came from your network just now, so a moderator will check this one.",
    Code.FIRST_COMMENT: "A first comment is reviewed before it appears; later ones need not be.",
    Code.PRE_SITE: "Every comment is reviewed by a moderator before it appears.",
    Code.PRE_ARTICLE: "Comments on this article are reviewed by a moderator before they appear.",
    Code.SANCTIONED: "Your comments are reviewed by a moderator before they appear.",
}


def reader_messages(reasons):
    """What to tell the commenter about their held comment: one line per distinct
    message, in the order the rules ran."""
    seen = []
    for code, _evidence in reasons:
        message = READER_MESSAGES.get(code)
        if message and message not in seen:
            seen.append(message)
    return seen


def record_report(comment, reader, network="", rules=None, **notice):
    """Record a report and return it, or None if this reader, or someone on their
    network, had reported the comment already (a report a moderator has since
    cleared included). ``notice``: the report's reason, and for illegal content
    the law, explanation, good-faith confirmation and contact email.

    At the threshold the comment is hidden and goes back to the moderation queue.
    """
    rules = rules or policy()
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(
                comment=comment, reader=reader, network=network, **notice
            )
    except IntegrityError:
        return None
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    with transaction.atomic():
        hidden = Comment.objects.filter(
            pk=comment.pk,
            status=Comment.Status.APPROVED,
            report_count__gte=rules.report_threshold,
        ).update(status=Comment.Status.PENDING)
        if hidden:  # a report that hides nothing changes nothing readers see
            HoldReason.objects.create(
                comment=comment, code=Code.REPORTS, evidence={"reports": rules.report_threshold}
            )
            thread_changed(comment.article_id, shown=[comment.pk])
    return report


def clear_reports(comments, now=None):
    """Approving comments answers their reports: the count starts again from
    zero, and the reports are kept as cleared, so the readers who sent them
    cannot report again and only new reports from others can hide the comments.

    ``comments`` is a queryset of the approved comments."""
    now = now or timezone.now()
    ids = comments.order_by().values("pk")
    CommentReport.objects.filter(comment__in=ids, cleared_at__isnull=True).update(cleared_at=now)
    Comment.objects.filter(pk__in=ids, report_count__gt=0).update(report_count=0)


DECISIONS = {
    Comment.Status.APPROVED: ModerationEvent.Action.APPROVE,
    Comment.Status.REJECTED: ModerationEvent.Action.REJECT,
    Comment.Status.SPAM: ModerationEvent.Action.SPAM,
}


def decide(comments, status, moderator, reason="", explanation=""):
    """A moderator's decision on these comments (a queryset): their new status,
    with who, when and why recorded on each and in the audit trail. Approving
    clears reports. Returns the comments whose status changed.

    The one way decisions are taken, from the queue and from the admin's lists.
    """
    now = timezone.now()
    with transaction.atomic():
        # By id: a filtered selection (pending, reported) would lose the comments
        # this decision changes.
        selected_ids = list(comments.values_list("pk", flat=True))
        selected = Comment.objects.filter(pk__in=selected_ids)
        if status == Comment.Status.APPROVED:
            # An approved comment that readers reported is approved again to clear them.
            clear_reports(selected, now)
            reason = reason or DecisionReason.WITHIN_RULES
        changed = list(selected.exclude(status=status).select_related("article", "user"))
        ids = [comment.pk for comment in changed]
        Comment.objects.filter(pk__in=ids).update(
            status=status,
            moderated_by=moderator,
            moderated_at=now,
            decision_reason=reason,
            decision_note=explanation,
        )
        ModerationEvent.objects.bulk_create(
            ModerationEvent(
                at=now,
                actor=moderator,
                action=DECISIONS[status],
                comment_id=pk,
                reason=reason,
                explanation=explanation,
            )
            for pk in ids
        )
        if moderator is not None and changed:
            # Each comment's admin history shows the decision too, whichever
            # list or queue it was taken from.
            why = DecisionReason(reason).label if reason in DecisionReason.values else ""
            message = f"{DECISIONS[status].label}: {why}." if why else f"{DECISIONS[status].label}."
            LogEntry.objects.log_actions(moderator.pk, changed, CHANGE, change_message=message)
        # update() sends no signals
        thread_changed(*{comment.article_id for comment in changed}, shown=ids)
        for comment in changed:
            comment.status, comment.decision_reason = status, reason
            comment.decision_note = explanation
        notifications.queue(changed, policy())  # a held reply notifies when approved
    statements.send(changed, status, now)  # a removal's author is told why
    statements.answer_reporters(selected_ids, status, reason, explanation, now)
    return changed


def pick(comment, moderator, picked=True):
    """Pick a visible comment to show above its thread, or unpick it."""
    if picked and not comment.is_visible():
        return False
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk, picked_at__isnull=picked).update(
            picked_at=timezone.now() if picked else None, picked_by=moderator if picked else None
        )
        if changed:
            action = ModerationEvent.Action.PICK if picked else ModerationEvent.Action.UNPICK
            ModerationEvent.objects.create(actor=moderator, action=action, comment=comment)
            caching.invalidate_thread(comment.article)
    return bool(changed)
