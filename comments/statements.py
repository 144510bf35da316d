"""
Statements of reasons (the EU Digital Services Act, article 17): when a
moderator removes a comment (rejects it or marks it as spam), its author, if
they left an email or their account has one, is mailed what was decided and
when, the comment, the reason and the moderator's explanation, that a person
decided, and how to object. One mail per comment, to that comment's author.

``comments.moderation.decide`` calls ``send`` for the comments a decision
changed; the mail is queued in the decision's transaction (``comments.mail``).

A reader who reported a comment and left an email is told what was decided on
their report (article 16(5)), once: ``answer_reporters``.
"""

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.text import Truncator

from . import mail
from .models import Comment, CommentReport, DecisionReason, HoldReason

REMOVALS = {Comment.Status.REJECTED, Comment.Status.SPAM}
# Codes of the rules that hold a comment without a person asking.
AUTOMATIC = {
    HoldReason.Code.LINKS,
    HoldReason.Code.BLOCKED_TERM,
    HoldReason.Code.SUSPECT_TERM,
    HoldReason.Code.RATE,
    HoldReason.Code.DUPLICATE,
}


def address_of(comment):
    """Where the author can be reached: their account's email, else the one they gave."""
    if comment.user_id:
        return comment.user.email if comment.user else ""
    return comment.email


def how_it_was_found(comment):
    """How the comment came to a moderator: automatic filters, readers' reports,
    or neither (a moderator came across it)."""
    codes = {reason.code for reason in comment.hold_reasons.all()}
    found = []
    if codes & AUTOMATIC:
        found.append("our automatic filters held it for review")
    if HoldReason.Code.REPORTS in codes or comment.report_count:
        found.append("readers reported it")
    return found


def send(comments, status, decided_at=None):
    """Mail the author of each removed comment its statement of reasons.

    ``comments`` are the comments the decision changed, their ``user`` loaded.
    No query unless some author can be reached; then two, however many."""
    if status not in REMOVALS:
        return
    reachable = [(comment, address_of(comment)) for comment in comments]
    reachable = [(comment, to) for comment, to in reachable if to]
    prefetch_related_objects([comment for comment, _ in reachable], "hold_reasons")
    decided_at = decided_at or timezone.now()
    decision = "marked as spam and removed" if status == Comment.Status.SPAM else "removed"
    mail.queue_all(
        (
            to,
            "statement_of_reasons",
            {
                "comment": comment,
                "excerpt": Truncator(comment.body).chars(500),
                "decision": decision,
                "decided_at": timezone.localtime(decided_at),
                "reason": dict(DecisionReason.choices).get(
                    comment.decision_reason, comment.decision_reason
                ),
                "explanation": comment.decision_note,
                "found": how_it_was_found(comment),
            },
        )
        for comment, to in reachable
    )


def answer_reporters(comment_ids, status, reason, explanation, decided_at):
    """Tell each reporter of these comments who left an email, and has not been
    answered yet, what was decided: kept or removed, and why. One query when
    there is no one to tell."""
    reports = list(
        CommentReport.objects.filter(comment_id__in=comment_ids, answered_at__isnull=True)
        .exclude(contact_email="")
        .select_related("comment__article")
    )
    if not reports:
        return
    CommentReport.objects.filter(pk__in=[report.pk for report in reports]).update(
        answered_at=decided_at
    )
    mail.queue_all(
        (
            report.contact_email,
            "report_outcome",
            {
                "report": report,
                "excerpt": Truncator(report.comment.body).chars(300),
                "removed": status in REMOVALS,
                "decided_at": timezone.localtime(decided_at),
                "reason": dict(DecisionReason.choices).get(reason, reason),
                "explanation": explanation,
            },
        )
        for report in reports
    )
