"""
Recommendations: the one reaction a reader can give a comment.

One row per reader and comment (``CommentReaction``, unique), and the comment's
``recommend_count`` moved in the same transaction only when a row was inserted
or deleted, so the count stays exact however many readers press at once: a
second insert of the same row waits for the first and fails on the unique index,
and moves nothing.

Who a reader is, as reports count them: their account when signed in (one each,
whatever network they share); otherwise the salted hash of their address and
User-Agent, and one recommendation per network and comment (a second unique
index), so a browser that changes its User-Agent does not become a new reader.
The salt changes daily, so an anonymous reader can recommend a comment again
the next day; an account is one reader for good.

The count is in the thread's shared markup, so a change invalidates the thread
(its cached fragments and the edge caches). Whether *this* reader recommends a
comment is not: the shared thread shows every button unpressed, and the page
asks ``recommended_among`` for the reader's own state in a small request of its
own (``comments.views.reader_state``).
"""

import time

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from articles import caching
from articles.counting import network_fingerprint, reader_fingerprint

from .models import Comment, CommentReaction

# Each press moves the thread's cache version on: a reader pressing on and on
# would make every reader's next page render the thread again.
PRESSES_PER_MINUTE = 30


class NetworkRecommends(Exception):
    """An anonymous reader's network recommends the comment already, from
    another browser: that recommendation is the one that counts."""


def reactor_of(request):
    """Who is reacting: ``user:<id>`` for a signed-in reader, else the reader hash."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return reader_fingerprint(request)


def reader_network(request):
    """The network an anonymous reader's recommendation counts for (the hash
    reports use); none for a signed-in reader."""
    if request.user.is_authenticated:
        return ""
    return network_fingerprint(request)


def too_many_presses(reactor, now=None):
    """Whether ``reactor`` has pressed more than ``PRESSES_PER_MINUTE`` times
    this minute (this press counted). A cache that is down lets every press
    through: a recommendation is not worth refusing readers for."""
    minute = int((now or time.time()) // 60)
    key = f"reaction-presses:{reactor}:{minute}"
    try:
        cache.add(key, 0, 120)
        presses = cache.incr(key)
    except Exception:
        return False
    return presses > PRESSES_PER_MINUTE


def recommend(comment, reactor, network=""):
    """Record ``reactor``'s recommendation; False if they had already made it,
    or someone on their ``network`` had."""
    try:
        with transaction.atomic():
            CommentReaction.objects.create(comment=comment, reactor=reactor, network=network)
            Comment.objects.filter(pk=comment.pk).update(recommend_count=F("recommend_count") + 1)
    except IntegrityError:
        return False
    caching.invalidate_thread(comment.article)
    return True


def withdraw(comment, reactor):
    """Take ``reactor``'s recommendation back; False if there was none."""
    with transaction.atomic():
        deleted, _ = CommentReaction.objects.filter(comment=comment, reactor=reactor).delete()
        if deleted:
            Comment.objects.filter(pk=comment.pk).update(recommend_count=F("recommend_count") - 1)
    if deleted:
        caching.invalidate_thread(comment.article)
    return bool(deleted)


def toggle(comment, reactor, network=""):
    """Recommend, or take the recommendation back if there is one: whether the
    reader recommends the comment now. Raises ``NetworkRecommends`` when another
    browser on their ``network`` already does."""
    if withdraw(comment, reactor):
        return False
    if recommend(comment, reactor, network):
        return True
    # Refused: the reader's own press in another request, or another browser on
    # their network. Only the first is theirs to see pressed.
    if CommentReaction.objects.filter(comment=comment, reactor=reactor).exists():
        return True
    raise NetworkRecommends


def recommended_among(reactor, comment_ids):
    """Which of these comments ``reactor`` recommends: one indexed query."""
    if not comment_ids:
        return set()
    return set(
        CommentReaction.objects.filter(reactor=reactor, comment_id__in=comment_ids).values_list(
            "comment_id", flat=True
        )
    )
