"""
The comment policy, in one place: may a comment be posted here and now, and
what status does a new comment get. Each rule is a small function with its own
test; the views and the form only ask.

The values the rules apply (moderation mode, links allowed, blocked terms,
limits) are the newsroom's Discussion settings, edited in the admin and read
through ``policy()``. Rules that need them take ``rules``, the settings a
request already read; without it they read them themselves.

A poster or reporter is told apart two ways: as a reader (their address and
User-Agent, hashed) and as a network (their address alone, an IPv6 /64 as one,
hashed). A new User-Agent makes a new reader but not a new network, so the rate
limit, the duplicate check and reports also hold per network.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from articles import caching

from .models import Comment, CommentReport, DiscussionSettings
from .threads import thread_changed

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def policy(request=None):
    """The Discussion settings in force, the same on every worker.

    Kept in the shared cache under the site's content version, which saving the
    settings moves on, so a change applies to the next request everywhere. With
    a request, the version is the one the request already read.
    """
    return caching.cached(
        caching.fragment_key("discussion-settings", request=request),
        DiscussionSettings.load,
        request,
    )


def thread_is_closed(article, now=None, rules=None):
    """Closed by the editor, or automatically some days after publication."""
    if not article.comments_open:
        return True
    closing = closes_at(article, rules)
    return closing is not None and (now or timezone.now()) >= closing


def closes_at(article, rules=None):
    if not (article.comments_open and article.published_at):
        return None
    days = (rules or policy()).close_after_days
    return article.published_at + timedelta(days=days) if days else None


@dataclass(frozen=True)
class RateLimited:
    retry_at: datetime
    by_network: bool = False  # the network's allowance ran out, not the reader's own

    @property
    def retry_after_seconds(self):
        return max(1, int((self.retry_at - timezone.now()).total_seconds()) + 1)


def rate_limit(reader, network="", now=None, rules=None):
    """``RateLimited`` when the reader, or their network, has posted its allowance
    within the window.

    Counted in the database, so the limit holds across every worker process.
    """
    rules = rules or policy()
    now = now or timezone.now()
    window = timedelta(minutes=rules.rate_window_minutes)
    limits = [(False, {"reader": reader}, rules.comments_per_reader)]
    if network and rules.comments_per_address:
        limits.append((True, {"network": network}, rules.comments_per_address))
    # The oldest of the last ``allowance`` comments, where there are that many:
    # the window frees a place when it has passed.
    full = [
        (created_at + window, by_network)
        for by_network, poster, allowance in limits
        for created_at in Comment.objects.filter(**poster, created_at__gt=now - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[allowance - 1 : allowance]
    ]
    if not full:
        return None
    retry_at, by_network = max(full)
    return RateLimited(retry_at=retry_at, by_network=by_network)


def moderation_mode(article, rules=None):
    return article.comment_moderation or (rules or policy()).moderation_mode


def too_many_links(body, rules=None):
    return len(LINK.findall(body)) > (rules or policy()).links_allowed


def blocked_word(text, rules=None):
    lowered = text.lower()
    for word in (rules or policy()).blocked_term_list:
        if re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", lowered):
            return word
    return None


def is_repeat(comment, now=None):
    """The same text from the same reader, or the same network, within a few minutes."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.NEWSROOM_COMMENT_DUPLICATE_MINUTES)
    # A reader is an address and a User-Agent, so their network covers them.
    poster = {"network": comment.network} if comment.network else {"reader": comment.reader}
    return Comment.objects.filter(**poster, body=comment.body, created_at__gt=since).exists()


def initial_status(comment, article, rules=None):
    """The status a new comment gets, and why it was held if it was."""
    rules = rules or policy()
    if too_many_links(comment.body, rules):
        return Comment.Status.PENDING, "more links than allowed"
    word = blocked_word(f"{comment.author_name}\n{comment.body}", rules)
    if word:
        return Comment.Status.PENDING, f"blocked word: {word}"
    if is_repeat(comment):
        return Comment.Status.PENDING, "the same text again"
    if moderation_mode(article, rules) == "pre":
        return Comment.Status.PENDING, ""
    return Comment.Status.APPROVED, ""


def record_report(comment, reader, network="", rules=None):
    """Record a report; return False if this reader, or someone on their network,
    had reported the comment already (a report a moderator has since cleared
    included).

    At the threshold the comment is hidden and goes back to the moderation queue.
    """
    rules = rules or policy()
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reader=reader, network=network)
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    hidden = Comment.objects.filter(
        pk=comment.pk,
        status=Comment.Status.APPROVED,
        report_count__gte=rules.report_threshold,
    ).update(status=Comment.Status.PENDING, held_because="reported by readers")
    if hidden:  # a report that hides nothing changes nothing readers see
        thread_changed(comment.article_id)
    return True


def clear_reports(comments, now=None):
    """Approving comments answers their reports: the count starts again from
    zero, and the reports are kept as cleared, so the readers who sent them
    cannot report again and only new reports from others can hide the comments.

    ``comments`` is a queryset of the approved comments."""
    now = now or timezone.now()
    ids = comments.order_by().values("pk")
    CommentReport.objects.filter(comment__in=ids, cleared_at__isnull=True).update(cleared_at=now)
    Comment.objects.filter(pk__in=ids, report_count__gt=0).update(report_count=0)
