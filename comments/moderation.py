"""
The comment policy, in one place: may a comment be posted here and now, and
what status does a new comment get. Each rule is a small function with its own
test; the views and the form only ask.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Comment
from .threads import thread_changed

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def thread_is_closed(article, now=None):
    """Closed by the editor, or automatically some days after publication."""
    if not article.comments_open:
        return True
    days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at:
        return (now or timezone.now()) >= article.published_at + timedelta(days=days)
    return False


def closes_at(article):
    days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at and article.comments_open:
        return article.published_at + timedelta(days=days)
    return None


@dataclass(frozen=True)
class RateLimited:
    retry_at: datetime

    @property
    def retry_after_seconds(self):
        return max(1, int((self.retry_at - timezone.now()).total_seconds()) + 1)


def rate_limit(reader, now=None):
    """``RateLimited`` when the reader has posted their allowance within the window.

    Counted in the database, so the limit holds across every worker process.
    """
    now = now or timezone.now()
    window = timedelta(minutes=settings.NEWSROOM_COMMENT_RATE_WINDOW_MINUTES)
    allowance = settings.NEWSROOM_COMMENT_RATE_LIMIT
    recent = list(
        Comment.objects.filter(reader=reader, created_at__gt=now - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:allowance]
    )
    if len(recent) < allowance:
        return None
    return RateLimited(retry_at=recent[-1] + window)


def moderation_mode(article):
    return article.comment_moderation or settings.NEWSROOM_COMMENT_MODERATION


def too_many_links(body):
    return len(LINK.findall(body)) > settings.NEWSROOM_COMMENT_MAX_LINKS


def blocked_word(text):
    lowered = text.lower()
    for word in settings.NEWSROOM_COMMENT_BLOCKLIST:
        if word and re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", lowered):
            return word
    return None


def is_repeat(comment, now=None):
    """The same text from the same reader within a few minutes."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.NEWSROOM_COMMENT_DUPLICATE_MINUTES)
    return Comment.objects.filter(
        reader=comment.reader, body=comment.body, created_at__gt=since
    ).exists()


def initial_status(comment, article):
    """The status a new comment gets, and why it was held if it was."""
    if too_many_links(comment.body):
        return Comment.Status.PENDING, "more links than allowed"
    word = blocked_word(f"{comment.author_name}\n{comment.body}")
    if word:
        return Comment.Status.PENDING, f"blocked word: {word}"
    if is_repeat(comment):
        return Comment.Status.PENDING, "the same text again"
    if moderation_mode(article) == "pre":
        return Comment.Status.PENDING, ""
    return Comment.Status.APPROVED, ""


def record_report(comment, reader):
    """Record a reader's report; return False if they had reported it already.

    At the threshold the comment is hidden and goes back to the moderation queue.
    """
    from django.db import IntegrityError, transaction
    from django.db.models import F

    from .models import CommentReport

    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reader=reader)
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    hidden = Comment.objects.filter(
        pk=comment.pk,
        status=Comment.Status.APPROVED,
        report_count__gte=settings.NEWSROOM_COMMENT_REPORT_THRESHOLD,
    ).update(status=Comment.Status.PENDING, held_because="reported by readers")
    if hidden:  # a report that hides nothing changes nothing readers see
        thread_changed(comment.article_id)
    return True
