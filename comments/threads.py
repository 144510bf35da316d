"""
What readers see of a thread changed: keep the article's comment count and the
caches right.

``Article.comment_count`` is the number of comments ``Comment.objects.visible()``
shows on the article. It is recounted from the comments in the transaction that
changed them, with the article's row locked first, so two changes committing at
once cannot both count without the other. Caches of that article's thread (and
what an edge cache holds of its page) are invalidated once the change commits;
listings are not: their comment counts may lag by ``caching.FRAGMENT_TTL``.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles import caching
from articles.models import Article

from .models import Comment, DeletedComment

# How long a deleted comment is remembered for pages still open: longer than
# anyone keeps a page open and polling.
DELETED_KEPT = timedelta(days=1)


def thread_changed(*article_ids, shown=(), deleted=()):
    """Recount the visible comments of these articles and invalidate their threads.

    ``shown``: the ids of the comments readers saw appear, change or go. Their
    ``shown_changed_at`` (and ``first_shown_at``, see ``stamp()``) is stamped
    once the articles are locked, so the stamps follow the order in which the
    changes commit: a reader polling after the newest stamp they know
    (``comments.live``) cannot miss a change that committed later with an
    earlier time. ``deleted``: ``(article id, comment id)`` of comments readers
    had seen that were deleted, remembered as ``DeletedComment`` rows stamped
    the same way."""
    ids = sorted(set(article_ids) | {article_id for article_id, _ in deleted})
    if not ids:
        return
    with transaction.atomic():
        # Lock first: the recount below then runs after any other change to the
        # same articles has committed, and sees it.
        articles = list(Article.objects.select_for_update().filter(pk__in=ids).only("pk", "slug"))
        if not articles:
            return  # the articles are being deleted with their comments
        recount(Article.objects.filter(pk__in=ids))
        now = timezone.now()
        if shown:
            stamp(shown, now)
        if deleted:
            remember_deleted(deleted, now)
        for article in articles:
            caching.invalidate_thread(article)


def remember_deleted(deleted, now):
    """Remember deleted comments for the pages that still show them, and forget
    the ones deleted more than ``DELETED_KEPT`` ago (so the table holds a day's
    deletions at most)."""
    DeletedComment.objects.filter(deleted_at__lt=now - DELETED_KEPT).delete()
    DeletedComment.objects.bulk_create(
        DeletedComment(article_id=article_id, comment_id=comment_id, deleted_at=now)
        for article_id, comment_id in deleted
    )


def stamp(shown, now):
    """Stamp the comments readers saw appear or go: a comment keeps the time it
    first appeared while it stays (an edit is not a new comment) and loses it
    when it goes (brought back, it is new again). One UPDATE."""
    # A comment readers never saw (held, then rejected) wakes no open page.
    changed = Comment.objects.filter(pk__in=shown)
    visible = changed.visible().values("pk")
    changed = changed.filter(Q(pk__in=visible) | Q(first_shown_at__isnull=False))
    changed.update(
        shown_changed_at=now,
        first_shown_at=Case(
            When(
                pk__in=visible,
                then=Coalesce("first_shown_at", Value(now)),
            ),
            default=None,
        ),
    )


def recount(articles):
    """Set these articles' comment counts from their visible comments: one UPDATE."""
    visible = (
        Comment.objects.visible()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return articles.update(comment_count=Coalesce(Subquery(visible), 0))


def changes_what_readers_see(comment, created):
    """Whether saving ``comment`` changed the thread readers see.

    A comment held for review, or an edit readers cannot see, changes nothing.
    """
    if created:
        return comment.is_visible()
    loaded = getattr(comment, "_loaded", None)
    if loaded is None:
        return True
    return loaded["status"] != comment.status or (
        comment.is_visible() and loaded["body"] != comment.body
    )
