"""
Live updates of a thread: which comments readers saw appear or go on an
article since a cursor (``articles.live``), and whether a page should ask.

A comment's ``shown_changed_at`` is the time readers saw it appear, change or
go (``comments.threads`` stamps it as the change commits), not the time it was
written: a comment held for review and approved an hour later arrives like a
new one. Its ``first_shown_at`` tells an edit of a comment a page already had
from a comment that is new to it. The newest stamp of an article is kept under its thread's version, so
a poll that has seen it is answered without a query.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.template.defaultfilters import pluralize
from django.utils import timezone

from articles import caching, live
from articles.live import Cursor

from . import moderation, tree
from .models import Comment

SALT = "comments.live"
# A thread nobody has commented on for this long is not polled: a reader checks.
QUIET_AFTER = timedelta(days=14)


def latest(article, request=None):
    """The cursor of the newest change readers saw on the article's thread
    (``articles.live.START`` for none): one indexed query after each change, none otherwise."""
    return _newest(article, request)[0]


def latest_signed(article, request=None):
    """``latest()`` as pages carry it, signed: a poll that holds it has seen
    everything, which a comparison tells without checking its signature."""
    return _newest(article, request)[1]


def _newest(article, request):
    return live.newest(
        Comment.objects.filter(article=article, shown_changed_at__isnull=False),
        "shown_changed_at",
        SALT,
        caching.fragment_key(
            "comment-live-latest", [article.pk], request, scopes=caching.thread_scopes(article)
        ),
        request,
    )


@dataclass
class Changes:
    """What changed after a cursor: the comments to show, the ids of the ones
    among them that were there before and are edited, the ids of the ones to take
    away, and the cursor to ask after next."""

    cursor: Cursor
    arrived: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    too_many: bool = False
    edited: list = field(default_factory=list)

    @property
    def new(self):
        """The comments readers had not seen at the cursor."""
        return [comment for comment in self.arrived if comment.pk not in self.edited]

    @property
    def nodes(self):
        return [tree.Node(comment, comment.pk, comment.depth) for comment in self.arrived]


def changes_since(article, cursor, request=None):
    """The changes readers saw after ``cursor``, oldest first, in one query; kept
    under the thread's version, so readers holding the same cursor share them."""

    def compute():
        found, too_many = live.after(
            Comment.objects.filter(article=article).select_related("user", "in_reply_to__user"),
            "shown_changed_at",
            cursor,
        )
        found = tree.belong_to(article, found)
        newest = Cursor(found[-1].shown_changed_at, found[-1].pk) if found else cursor
        arrived = [c for c in found if c.is_visible()]
        return Changes(
            newest,
            arrived=arrived,
            removed=[c.pk for c in found if not c.is_visible()],
            too_many=too_many,
            edited=[c.pk for c in arrived if shown_before(c, cursor)],
        )

    key = caching.fragment_key(
        "comment-live-changes",
        [article.pk, cursor.sign(SALT)],
        request,
        scopes=caching.thread_scopes(article),
    )
    return caching.cached(key, compute, request)


def shown_before(comment, cursor):
    """Whether readers saw ``comment`` appear at or before ``cursor``: a change
    to it since is an edit, not a new comment."""
    return (
        comment.first_shown_at is not None and Cursor(comment.first_shown_at, comment.pk) <= cursor
    )


def news(new, edited):
    """The button's words for what a reader may show: "2 new comments",
    "1 comment edited", "2 new comments, 1 edited" (static/js/comment-thread.js
    says the same after leaving out what the reader's page holds already)."""
    said = [f"{new} new comment{pluralize(new)}"] if new else []
    if edited:
        said.append(f"{edited} edited" if new else f"{edited} comment{pluralize(edited)} edited")
    return ", ".join(said)


def polls(article, cursor, rules=None, now=None):
    """Whether an open page asks for news by itself: not on a closed thread, nor
    on one nobody has commented on for ``QUIET_AFTER`` (a reader checks instead)."""
    now = now or timezone.now()
    if moderation.thread_is_closed(article, now=now, rules=rules):
        return False
    last = cursor.at if cursor != live.START else article.published_at
    return last is not None and now - last < QUIET_AFTER


def page_context(article, request=None, rules=None):
    """What ``comments/_live.html`` needs on the article page."""
    cursor, signed = _newest(article, request)
    return {
        "cursor": signed,
        "polling": polls(article, cursor, rules=rules),
        "every": settings.NEWSROOM_LIVE_POLL_SECONDS,
    }
