"""
Live updates of a thread: which comments readers saw appear or go on an
article since a cursor (``articles.live``), and whether a page should ask.

A comment's ``shown_changed_at`` is the time readers saw it appear, change or
go (``comments.threads`` stamps it as the change commits), not the time it was
written: a comment held for review and approved an hour later arrives like a
new one. Its ``first_shown_at`` tells an edit of a comment a page already had
from a comment that is new to it. A comment readers had seen and that is
deleted leaves a ``DeletedComment`` stamped the same way, so open pages take it
away too. The newest stamp of an article is kept under its thread's version, so
a poll that has seen it is answered without a query.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.template.defaultfilters import pluralize
from django.utils import timezone

from articles import caching, live
from articles.live import Cursor
from articles.models import Article

from . import moderation, tree
from .models import Comment, DeletedComment

SALT = "comments.live"
# A thread nobody has commented on for this long is not polled: a reader checks.
QUIET_AFTER = timedelta(days=14)


def latest(article, request=None):
    """The cursor of the newest change readers saw on the article's thread
    (``articles.live.START`` for none), a deletion included: one query after
    each change (two index lookups, ``comment_live`` and ``deleted_comment_live``),
    none otherwise."""
    return _newest(article, request)[0]


def latest_signed(article, request=None):
    """``latest()`` as pages carry it, signed: a poll that holds it has seen
    everything, which a comparison tells without checking its signature."""
    return _newest(article, request)[1]


def _newest(article, request):
    return live.cached_cursor(
        lambda: newest_change(article),
        SALT,
        caching.fragment_key(
            "comment-live-latest", [article.pk], request, scopes=caching.thread_scopes(article)
        ),
        request,
    )


def newest_change(article):
    """The cursor of the newest comment readers saw appear, change or go, or of
    the newest deletion of one, whichever is later (None for neither), in one
    query: each is an index lookup in a subquery of the article's row."""
    shown = Comment.objects.filter(article=OuterRef("pk"), shown_changed_at__isnull=False).order_by(
        "-shown_changed_at", "-pk"
    )
    deleted = DeletedComment.objects.filter(article=OuterRef("pk")).order_by(
        "-deleted_at", "-comment_id"
    )
    row = (
        Article.objects.filter(pk=article.pk)
        .values_list(
            Subquery(shown.values("shown_changed_at")[:1]),
            Subquery(shown.values("pk")[:1]),
            Subquery(deleted.values("deleted_at")[:1]),
            Subquery(deleted.values("comment_id")[:1]),
        )
        .first()
    )
    if row is None:
        return None
    found = [Cursor(at, pk) for at, pk in (row[:2], row[2:]) if at is not None]
    return max(found, default=None)


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
    """The changes readers saw after ``cursor``, oldest first, in two queries
    (comments, deletions); kept under the thread's version, so readers holding
    the same cursor share them."""

    def compute():
        found, more = live.after(
            Comment.objects.filter(article=article).select_related("user", "in_reply_to__user"),
            "shown_changed_at",
            cursor,
        )
        gone, more_gone = live.after(
            DeletedComment.objects.filter(article=article), "deleted_at", cursor, "comment_id"
        )
        # The first MOST_SHOWN changes of both kinds, in the order they happened.
        changes = sorted(
            [(Cursor(c.shown_changed_at, c.pk), c) for c in tree.belong_to(article, found)]
            + [(Cursor(d.deleted_at, d.comment_id), None) for d in gone],
            key=lambda change: change[0],
        )
        too_many = more or more_gone or len(changes) > live.MOST_SHOWN
        changes = changes[: live.MOST_SHOWN]
        newest = changes[-1][0] if changes else cursor
        comments = [comment for _, comment in changes if comment is not None]
        arrived = [c for c in comments if c.is_visible()]
        return Changes(
            newest,
            arrived=arrived,
            # Each change's cursor names its comment, there or deleted.
            removed=[
                at.pk for at, comment in changes if comment is None or not comment.is_visible()
            ],
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
