"""
Email notifications: a reader told of replies to their comment, a follower of
every new comment on a discussion, an article's author of comments on it.

The rules, in one place:

- A subscription is mailed only once confirmed (``Subscription.objects.active()``):
  at once for an account, or for an address its reader already verified; else
  when the address is verified through the link mailed to it (double opt-in,
  ``comments.verification``), so nobody can make the site mail someone else.
- A comment is queued when it becomes visible (``queue``): at posting when it is
  published at once, at approval when it was held (``moderation.decide``), in
  the transaction that made it visible. Never to its own author, at most once per
  comment and recipient: the outbox's unique (subscription, comment) pair.
- ``send_due`` (the ``send_notifications`` command, run every minute) mails each
  recipient's waiting comments in one email, once the oldest has waited the
  Discussion settings' batching window; a slow mail server never slows a page.
- Every email carries RFC 8058 one-click unsubscribe headers and links whose GET
  only asks (``views.unsubscribe``); the signed token names the recipient, so it
  can only end the recipient's own subscriptions, and it does not expire.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from articles.models import Article

from . import mail, verification
from .models import EmailOptOut, Notification, Subscription

logger = logging.getLogger("newsroom.mail")

UNSUBSCRIBE_SALT = "comments.unsubscribe"
EXCERPT_CHARS = 300
FOLLOWS_PER_HOUR = 10
Kind, Origin = Subscription.Kind, Subscription.Origin
# Why a reader receives an email, in the email's words.
WHY = {
    Origin.COMMENT: "you asked to be told of replies to your comment",
    Origin.FOLLOW: "you follow the discussion",
    Origin.AUTHOR: "you wrote the article",
}


# --- Subscribing --------------------------------------------------------------


def subscribe(article, *, email="", user=None, comment=None, origin=Origin.FOLLOW):
    """Subscribe a reader: to the replies to ``comment``, or to every new comment
    on ``article``. Confirmed at once for a signed-in reader or an address
    verified before (and not since opted out of everything); otherwise pending,
    and the address is mailed a link to confirm it (once a day at most).

    Returns the subscription, or None when there is no address to mail."""
    signed_in = user is not None and user.is_authenticated
    email = verification.normalised(user.email if signed_in else email)
    if not email:
        return None
    opted_out = EmailOptOut.objects.filter(email=email).exists()
    if signed_in:  # an account's own choice outweighs an earlier "stop everything"
        EmailOptOut.objects.filter(email=email).delete()
    confirmed = signed_in or (not opted_out and verification.is_verified(email))
    now = timezone.now()
    target = {"kind": Kind.REPLIES, "comment": comment} if comment else {"kind": Kind.ALL}
    subscription, created = Subscription.objects.get_or_create(
        email=email,
        article=article,
        **target,
        defaults={
            "user": user if signed_in else None,
            "origin": origin,
            "confirmed_at": now if confirmed else None,
        },
    )
    if not created and (subscription.ended_at or (confirmed and not subscription.confirmed_at)):
        if subscription.ended_at:  # taken up again: confirmed anew, like a new one
            subscription.ended_at, subscription.confirmed_at = None, None
        if confirmed:
            subscription.confirmed_at = now
        subscription.save(update_fields=["ended_at", "confirmed_at"])
    if subscription.confirmed_at is None:
        verification.ask_to_verify(email, even_if_verified=opted_out)
    return subscription


def may_follow(network):
    """Whether a reader on this network may ask to follow another discussion now:
    ``FOLLOWS_PER_HOUR`` at most, so the follow form cannot mail confirmation
    links to a list of addresses. A cache that is down lets them."""
    key = f"follows:{network}"
    try:
        cache.add(key, 0, 3600)
        return cache.incr(key) <= FOLLOWS_PER_HOUR
    except Exception:
        return True


# --- Queueing -----------------------------------------------------------------


def author_email(comment):
    """The address the comment was posted from: its account's, or the one given."""
    if comment.user_id:
        return verification.normalised(comment.user.email)
    return verification.normalised(comment.email)


def answered_id(comment):
    """The comment a reply answers (beside it at the depth limit, or its parent)."""
    return comment.in_reply_to_id or comment.parent_id


def subscribe_authors(article_ids):
    """The articles' authors, when the newsroom tells authors of comments: a
    subscription each, unless they had one (ended ones included: an author who
    stopped them is not signed up again) or stopped all discussion email."""
    authors = (
        Article.objects.filter(pk__in=article_ids, author__isnull=False)
        .exclude(author__email="")
        .annotate(address=Lower("author__email"))
        .exclude(address__in=EmailOptOut.objects.values("email"))
        .values_list("pk", "author_id", "address")
    )
    now = timezone.now()
    Subscription.objects.bulk_create(
        [
            Subscription(
                email=address,
                user_id=author_id,
                kind=Kind.ALL,
                origin=Origin.AUTHOR,
                article_id=article_id,
                confirmed_at=now,
            )
            for article_id, author_id, address in authors
        ],
        ignore_conflicts=True,
    )


def queue(comments, rules):
    """Queue notifications of ``comments``, which have just become visible, in
    the current transaction. A constant number of queries however many comments
    and subscribers: at most four.

    ``comments`` need their ``user`` loaded (to tell their author's address)."""
    comments = [comment for comment in comments if comment.is_visible()]
    if not comments:
        return 0
    article_ids = {comment.article_id for comment in comments}
    if rules.notify_authors:
        subscribe_authors(article_ids)
    answered = {answered_id(comment) for comment in comments} - {None}
    subscriptions = list(
        Subscription.objects.active().filter(
            Q(kind=Kind.REPLIES, comment_id__in=answered)
            | Q(kind=Kind.ALL, article_id__in=article_ids)
        )
    )
    # One row per recipient and comment; a reply to your comment says so.
    subscriptions.sort(key=lambda subscription: subscription.kind != Kind.REPLIES)
    rows = {}
    for comment in comments:
        own = author_email(comment)
        for subscription in subscriptions:
            if subscription.kind == Kind.REPLIES:
                wanted = subscription.comment_id == answered_id(comment)
            else:
                wanted = subscription.article_id == comment.article_id
            mine = subscription.email == own or (
                subscription.user_id is not None and subscription.user_id == comment.user_id
            )
            if wanted and not mine:
                rows.setdefault((subscription.email, comment.pk), subscription)
    Notification.objects.bulk_create(
        [Notification(subscription=sub, comment_id=pk) for (_, pk), sub in rows.items()],
        ignore_conflicts=True,  # queued already: approved twice, or at once by two moderators
    )
    return len(rows)


# --- Sending ------------------------------------------------------------------


def due_recipients(now, window):
    """The addresses whose oldest waiting notification has waited ``window``."""
    return list(
        Notification.objects.filter(sent_at__isnull=True)
        .values("subscription__email")
        .annotate(oldest=Min("created_at"))
        .filter(oldest__lte=now - window)
        .order_by("oldest")
        .values_list("subscription__email", flat=True)
    )


def claim(email, now):
    """Take ``email``'s waiting notifications for sending, so that an overlapping
    run cannot send them too: the ones still worth sending (the subscription
    active, the comment still visible) are marked sent; the rest are dropped."""
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sent_at__isnull=True, subscription__email=email)
            .select_related("subscription", "comment__article", "comment__user")
            .order_by("created_at", "pk")
        )
        keep = [
            row
            for row in waiting
            if row.comment.is_visible()
            and row.subscription.ended_at is None
            and row.subscription.confirmed_at is not None
        ]
        dropped = {row.pk for row in waiting} - {row.pk for row in keep}
        Notification.objects.filter(pk__in=dropped).delete()
        Notification.objects.filter(pk__in=[row.pk for row in keep]).update(sent_at=now)
    return keep


def send_due(rules, now=None):
    """Mail every recipient whose batch is due under the Discussion settings
    ``rules``; returns (emails, notifications) sent.

    A batch that the mail server refuses is put back, and tried on the next run."""
    now = now or timezone.now()
    window = timedelta(minutes=rules.notification_batch_minutes)
    emails = notified = 0
    for email in due_recipients(now, window):
        batch = claim(email, now)
        if not batch:
            continue
        if send_batch(email, batch):
            emails += 1
            notified += len(batch)
        else:
            Notification.objects.filter(pk__in=[row.pk for row in batch]).update(sent_at=None)
    return emails, notified


def send_batch(email, batch):
    subscription_ids = sorted({row.subscription_id for row in batch})
    this_link = unsubscribe_link(email, subscription_ids)
    headers = {
        "List-Unsubscribe": f"<{this_link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    context = {
        "subject": subject_of(batch),
        "items": [
            {
                "comment": row.comment,
                "reply": row.subscription.kind == Kind.REPLIES,
                "excerpt": Truncator(row.comment.body).chars(EXCERPT_CHARS),
                "link": settings.NEWSROOM_SITE_URL
                + reverse("comments:permalink", args=[row.comment.pk]),
            }
            for row in batch
        ],
        "because": " and ".join(
            why
            for origin, why in WHY.items()
            if origin in {row.subscription.origin for row in batch}
        ),
        "unsubscribe_this": this_link,
        "several": len(subscription_ids) > 1,
        "unsubscribe_all": unsubscribe_link(email),
    }
    return mail.send_now(email, "notification", context, headers=headers)


def subject_of(batch):
    """The email's subject, on one line whatever the names and headline hold."""
    return " ".join(describe(batch).split())


def describe(batch):
    comments = [row.comment for row in batch]
    headlines = {comment.article.headline for comment in comments}
    if len(batch) == 1:
        row = batch[0]
        did = "replied to your comment" if row.subscription.kind == Kind.REPLIES else "commented"
        return f"{row.comment.display_name} {did} on “{row.comment.article.headline}”"
    if len(headlines) == 1:
        return f"{len(batch)} new comments on “{headlines.pop()}”"
    return f"{len(batch)} new comments in discussions you follow"


# --- Unsubscribing ------------------------------------------------------------


def unsubscribe_token(email, subscription_ids=None):
    """A signed token for ``email``'s subscriptions ``subscription_ids``, or for
    everything sent to ``email`` when None. It does not expire: a link in an old
    email still works."""
    payload = {"e": verification.normalised(email)}
    if subscription_ids is not None:
        payload["s"] = list(subscription_ids)
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_link(email, subscription_ids=None):
    token = unsubscribe_token(email, subscription_ids)
    return settings.NEWSROOM_SITE_URL + reverse("comments:unsubscribe", args=[token])


def read_token(token):
    """``(email, subscription ids or None for everything)``, or None for a token
    that is forged or altered."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        email, ids = payload["e"], payload.get("s")
    except (signing.BadSignature, KeyError, TypeError):
        return None
    if not isinstance(email, str) or not (
        ids is None or (isinstance(ids, list) and all(isinstance(pk, int) for pk in ids))
    ):
        return None
    return email, ids


def unsubscribe(email, subscription_ids):
    """End these subscriptions of ``email`` (never anyone else's), and drop what
    was waiting to be sent for them. Returns how many were active."""
    with transaction.atomic():
        mine = Subscription.objects.filter(email=email, pk__in=subscription_ids)
        Notification.objects.filter(subscription__in=mine, sent_at__isnull=True).delete()
        return mine.filter(ended_at__isnull=True).update(ended_at=timezone.now())


def unsubscribe_everything(email):
    """End every subscription of ``email`` and keep it from being signed up
    again until its reader verifies it anew."""
    with transaction.atomic():
        EmailOptOut.objects.get_or_create(email=email)
        ids = Subscription.objects.filter(email=email).values_list("pk", flat=True)
        return unsubscribe(email, list(ids))


def subscriptions_named(email, subscription_ids):
    """What an unsubscribe link is about: the discussions, by headline."""
    return list(
        Subscription.objects.filter(email=email, pk__in=subscription_ids)
        .select_related("article", "comment")
        .order_by("pk")
    )
