"""
Sanctions: measures against an author, not a comment. A signed-in reader is
sanctioned by account; an anonymous one by network address (hashed, as their
comments keep it).

``impose`` is the one way a sanction is made, from the moderation queue and
the admin; it is recorded in the audit trail.
"""

from django.db import transaction

from .models import Comment, ModerationEvent, Sanction
from .moderation import decide


def subject_of(comment):
    """Whom a sanction for this comment applies to: its account, else its network."""
    if comment.user_id:
        return {"user_id": comment.user_id}
    return {"network": comment.network}


def comments_by(subject):
    """Every comment by a sanction's subject."""
    if subject.get("user_id"):
        return Comment.objects.filter(user_id=subject["user_id"])
    if subject.get("email"):
        return Comment.objects.filter(email__iexact=subject["email"])
    return Comment.objects.filter(network=subject["network"])


def impose(comment, kind, moderator, reason, message="", until=None, reject_all=False):
    """Sanction the author of ``comment``. With ``reject_all``, every comment of
    theirs that readers can see or that waits is rejected, in the same step."""
    subject = subject_of(comment)
    if not any(subject.values()):
        raise ValueError("This comment has no author to sanction.")
    with transaction.atomic():
        sanction = Sanction.objects.create(
            kind=kind,
            reason=reason,
            message=message,
            until=until,
            comment=comment,
            created_by=moderator,
            **subject,
        )
        ModerationEvent.objects.create(
            actor=moderator,
            action=ModerationEvent.Action.SANCTION,
            comment=comment,
            sanction=sanction,
            reason=reason,
            explanation=message,
            detail=sanction.get_kind_display(),
        )
        if reject_all:
            waiting_or_shown = [Comment.Status.APPROVED, Comment.Status.PENDING]
            decide(
                comments_by(subject).filter(status__in=waiting_or_shown),
                Comment.Status.REJECTED,
                moderator,
                reason,
                message,
            )
    return sanction
