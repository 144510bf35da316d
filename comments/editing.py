"""
Editing one's own comment: for ``EDIT_WINDOW`` after posting, from the same
browser or account.

A signed-in author is known by their account. An anonymous author is known by
the browser that posted: posting sets a signed cookie (``remember_written``)
listing the comments written from it in the last ``EDIT_WINDOW``, with when
each was written, so this browser's comments are told apart without a query and
without a reader's token in the shared page.

An edit goes through the content rules again (``moderation.edit_reasons``): a
held edit hides the comment until a moderator approves it. The previous text is
kept as a ``CommentEdit`` row, which the moderation queue and the comment admin
show.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import moderation
from .models import Comment, CommentEdit

EDIT_WINDOW = timedelta(minutes=10)
EDIT_MINUTES = int(EDIT_WINDOW.total_seconds() // 60)  # as readers are told it
COOKIE = "comments_written"
COOKIE_SALT = "comments.written-here"
REMEMBERED = 20  # a browser's last comments: more than anyone writes in ten minutes

EDITABLE_STATUSES = (Comment.Status.APPROVED, Comment.Status.PENDING)


def written_here(request, now=None):
    """The ids of the comments this browser wrote within the edit window."""
    try:
        value = request.get_signed_cookie(
            COOKIE, salt=COOKIE_SALT, max_age=EDIT_WINDOW.total_seconds()
        )
    except (KeyError, signing.BadSignature):
        return {}
    now = time.time() if now is None else now
    written = {}
    for item in value.split(","):
        pk, _, at = item.partition(":")
        if pk.isdigit() and at.isdigit() and now - int(at) < EDIT_WINDOW.total_seconds():
            written[int(pk)] = int(at)
    return written


def remember_written(request, response, comment):
    """Add ``comment`` to the browser's list of comments it wrote."""
    written = written_here(request)
    written[comment.pk] = int(time.time())
    kept = sorted(written.items(), key=lambda item: item[1])[-REMEMBERED:]
    response.set_signed_cookie(
        COOKIE,
        ",".join(f"{pk}:{at}" for pk, at in kept),
        salt=COOKIE_SALT,
        max_age=int(EDIT_WINDOW.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def is_author(request, comment):
    """Whether this request comes from the comment's author: their account, or
    for an anonymous comment the browser that wrote it (within the window)."""
    if comment.user_id:
        return request.user.is_authenticated and request.user.pk == comment.user_id
    return comment.pk in written_here(request)


def is_own(request, comment, reader):
    """Whether the comment is this reader's, for the rules that keep readers off
    their own comments: their account, the browser that wrote it, or (anonymous)
    the same reader hash."""
    if comment.user_id:
        return request.user.is_authenticated and request.user.pk == comment.user_id
    return comment.reader == reader or comment.pk in written_here(request)


def editable_until(comment):
    return comment.created_at + EDIT_WINDOW


def refusal(request, comment, now=None, rules=None):
    """Why this request may not edit ``comment``, in words; None if it may."""
    now = now or timezone.now()
    if comment.status not in EDITABLE_STATUSES or not is_author(request, comment):
        return (
            "Only its author can edit a comment, from the account or the browser they "
            f"posted it from, for {EDIT_MINUTES} minutes after posting."
        )
    if now >= editable_until(comment):
        return (
            f"A comment can be edited for {EDIT_MINUTES} minutes after it is posted; this one "
            "can no longer be edited."
        )
    if moderation.thread_is_closed(comment.article, now=now, rules=rules):
        return "Comments on this article are closed: this comment can no longer be edited."
    return None


def editable_among(request, comment_ids, now=None, rules=None):
    """Which of these comments this request may edit now, by the rules of
    ``refusal``: one query, none for an anonymous reader who wrote none of them
    (the browser's cookie says)."""
    if not comment_ids:
        return set()
    return {comment.pk for comment in editable(request, comment_ids, now=now, rules=rules)}


def editable(request, comment_ids=None, now=None, rules=None):
    """The comments this request may edit now (among ``comment_ids``, if given),
    oldest first, with their articles: one query, none for an anonymous reader
    whose browser wrote none."""
    if request.user.is_authenticated:
        own = Q(user=request.user)
    else:
        mine = set(written_here(request))
        if comment_ids is not None:
            mine &= set(comment_ids)
        if not mine:
            return []
        own = Q(pk__in=mine)
    if comment_ids is not None:
        own &= Q(pk__in=comment_ids)
    now = now or timezone.now()
    rules = rules or moderation.policy(request)
    found = (
        Comment.objects.filter(own, created_at__gt=now - EDIT_WINDOW, status__in=EDITABLE_STATUSES)
        .select_related("article")
        .order_by("created_at", "pk")
    )
    return [
        comment
        for comment in found
        if not moderation.thread_is_closed(comment.article, now=now, rules=rules)
    ]


def apply_edit(comment, body, rules=None, sanction=None):
    """Replace the comment's text, keeping the previous text for moderators, and
    moderate it again. Returns the reasons it is held for, if any."""
    rules = rules or moderation.policy()
    with transaction.atomic():
        CommentEdit.objects.create(comment=comment, previous_body=comment.body)
        comment.body = body
        comment.edited_at = timezone.now()
        reasons = moderation.edit_reasons(comment, comment.article, rules, sanction)
        if reasons:
            comment.status = Comment.Status.PENDING
        # save(): the thread is recounted and its caches invalidated (comments.signals).
        comment.save(update_fields=["body", "edited_at", "status"])
        moderation.save_hold_reasons(comment, reasons)
    return reasons
