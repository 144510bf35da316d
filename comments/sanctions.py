"""
Sanctions: measures against an author, not a comment. A signed-in reader is
sanctioned by account; an anonymous one by their verified email address when
they have one, else by network address (an IPv6 /64 counts as one), kept as
``network_key``: a hash keyed with the site's secret, stable across days, so a
sanction against a network lasts as long as it says. The address itself is
never kept.

``impose`` is the one way a sanction is made, from the moderation queue and
the admin; ``lift`` the one way it ends early. Both are recorded in the audit
trail. ``in_force`` is what the comment form asks before it takes a comment.
"""

from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format

from articles.counting import client_address, network_of

from . import verification
from .models import Comment, DecisionReason, ModerationEvent, Sanction, VerifiedEmail
from .moderation import decide

Kind = Sanction.Kind

# The strongest first: a ban outweighs a suspension, which outweighs a warning.
STRENGTH = Case(
    When(kind=Kind.BAN, then=Value(0)),
    When(kind=Kind.SUSPEND, then=Value(1)),
    When(kind=Kind.WARN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
REFUSING = {Kind.BAN, Kind.SUSPEND}


def network_key(request):
    """The poster's network, hashed with the site's secret rather than the day's
    salt: what sanctions match an anonymous author by, on any day."""
    address = network_of(client_address(request))
    return salted_hmac("comments.sanctions.network", address, algorithm="sha256").hexdigest()


def subject_of(comment):
    """Whom a sanction for this comment applies to: its account, else its
    author's verified email, else its network."""
    if comment.user_id:
        return {"user_id": comment.user_id}
    if comment.email and verification.is_verified(comment.email):
        return {"email": verification.normalised(comment.email)}
    return {"network": comment.network_key}


def comments_by(subject):
    """Every comment by a sanction's subject."""
    if subject.get("user_id"):
        return Comment.objects.filter(user_id=subject["user_id"])
    if subject.get("email"):
        return Comment.objects.filter(email__iexact=subject["email"])
    return Comment.objects.filter(network_key=subject["network"])


def active(now=None):
    """Sanctions in force: not lifted, not ended, and for a warning not yet
    acknowledged."""
    now = now or timezone.now()
    return (
        Q(lifted_at__isnull=True)
        & (Q(until__isnull=True) | Q(until__gt=now))
        & ~Q(kind=Kind.WARN, acknowledged_at__isnull=False)
    )


def is_active(sanction, now=None):
    now = now or timezone.now()
    return (
        sanction.lifted_at is None
        and (sanction.until is None or sanction.until > now)
        and not (sanction.kind == Kind.WARN and sanction.acknowledged_at is not None)
    )


def poster(user=None, email="", network=""):
    """Which sanctions concern a poster: a signed-in reader's account; for an
    anonymous one, their network, and their email only when it is verified
    (anyone can type an address)."""
    if user is not None and getattr(user, "is_authenticated", True):
        return Q(user=user)
    who = Q(network=network) if network else Q()
    email = verification.normalised(email)
    if email:
        verified = Q(Exists(VerifiedEmail.objects.filter(email=email)), email=email)
        who = (who | verified) if who else verified
    return who or None


def in_force(user=None, email="", network="", now=None):
    """The strongest sanction in force against this poster, or None: one query."""
    who = poster(user, email, network)
    if who is None:
        return None
    return (
        Sanction.objects.filter(who & active(now))
        .order_by(STRENGTH, F("until").desc(nulls_first=True), "-created_at")
        .first()
    )


def when(moment):
    return date_format(timezone.localtime(moment), "j F Y, H:i T")


def refusal(sanction):
    """What a banned or suspended author is told when they post, in paragraphs."""
    if sanction.kind == Kind.BAN:
        lines = ["You can no longer post comments here: the moderators have banned you"]
        lines[0] += f" until {when(sanction.until)}." if sanction.until else "."
    else:
        lines = [
            f"You cannot post comments until {when(sanction.until)}: a moderator suspended you."
        ]
    lines.append(f"Reason: {DecisionReason(sanction.reason).label}.")
    if sanction.message:
        lines.append(f"Message from the moderators: {sanction.message}")
    return lines


def impose(
    comment,
    kind,
    moderator,
    reason,
    message="",
    until=None,
    reject_all=False,
    subject=None,
):
    """Sanction the author of ``comment`` (or ``subject``: ``{"user_id": …}``,
    ``{"email": …}`` or ``{"network": …}``, for a sanction that no one comment
    led to). With ``reject_all``, every comment of theirs that readers can see
    or that waits is rejected, in the same step, each author told why."""
    subject = dict(subject or subject_of(comment))
    if subject.get("email"):
        subject["email"] = verification.normalised(subject["email"])
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
            detail=describe(sanction),
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


def describe(sanction):
    """The sanction in words, for the audit trail."""
    words = f"{sanction.get_kind_display()} of {sanction.subject}"
    if sanction.until:
        words += f", until {when(sanction.until)}"
    return words


def lift(sanctions, moderator, now=None):
    """End these sanctions (a queryset) early, each recorded in the audit trail;
    returns how many were still in force."""
    now = now or timezone.now()
    with transaction.atomic():
        # Locked, so two moderators lifting at once record one lift. Afresh, without
        # the joins a list may bring: PostgreSQL locks no outer join's rows.
        ids = sanctions.order_by().values("pk")
        lifted = list(
            Sanction.objects.select_for_update()
            .filter(pk__in=ids, lifted_at__isnull=True)
            .order_by("pk")
        )
        Sanction.objects.filter(pk__in=[s.pk for s in lifted]).update(
            lifted_at=now, lifted_by=moderator
        )
        ModerationEvent.objects.bulk_create(
            ModerationEvent(
                at=now,
                actor=moderator,
                action=ModerationEvent.Action.LIFT,
                comment_id=sanction.comment_id,
                sanction=sanction,
                reason=sanction.reason,
                detail=describe(sanction),
            )
            for sanction in lifted
        )
    return len(lifted)


def acknowledge(sanction, now=None):
    """The author read the warning: it no longer stops them posting."""
    return bool(
        Sanction.objects.filter(
            pk=sanction.pk, kind=Kind.WARN, acknowledged_at__isnull=True
        ).update(acknowledged_at=now or timezone.now())
    )
