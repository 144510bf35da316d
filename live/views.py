from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from articles import caching
from articles import live as live_updates

from . import coverage

BAD_CURSOR = "This address is not one the page gave out: reload the page."


@require_safe
def changes(request, slug):
    """What is new in an article's live coverage after the page's cursor.

    Polled by ``static/js/live-updates.js``: nothing new is a 204; new entries
    are announced with a button and, with ``show``, brought in above the others.
    Ended coverage answers that it has ended, with nothing more to ask. Without
    JavaScript, the article page at its entries.
    """
    # Neither answer shows the comment count, a query after each comment.
    article = caching.cached_article(slug, request, counted=False)
    if not request.htmx:
        return redirect(f"{article.get_absolute_url()}#live-coverage")
    surrogate_key = f"article-{article.pk}"
    answer = nothing_new(request, slug, article)
    if answer is not None:
        return answer
    cursor = live_updates.Cursor.read(request.GET.get("after"), coverage.SALT)
    if cursor is None:
        return HttpResponse(BAD_CURSOR, status=400, content_type="text/plain; charset=utf-8")
    found = coverage.changes_since(article, cursor, request)
    show = "show" in request.GET and not found.too_many
    waiting = bool(found.arrived) and not show
    context = {
        "article": article,
        "poll": {
            # Until the reader shows them, the count grows from the same cursor.
            "cursor": (cursor if waiting else found.cursor).sign(coverage.SALT),
            "since": cursor.sign(coverage.SALT),
            "polling": article.is_live_now,
            "just_ended": not article.is_live_now,
            "every": settings.NEWSROOM_LIVE_POLL_SECONDS,
            "waiting": len(found.arrived) if waiting else 0,
            "too_many": found.too_many,
            "arrived": list(reversed(found.arrived)) if show else [],
        },
    }
    return live_updates.share(render(request, "live/_poll.html", context), surrogate_key)


def nothing_new(request, slug, article=None):
    """A 204 for a poll that has seen the newest entry of coverage still live,
    or None when ``changes`` must answer. Cheap: the article and its newest
    entry come from the shared cache (``articles.middleware.live_poll`` asks
    this first)."""
    article = article or caching.cached_article(slug, request, counted=False)
    if (
        request.htmx
        and article.is_live_now
        and request.GET.get("after") == coverage.latest_signed(article, request)
    ):
        return live_updates.nothing_new(f"article-{article.pk}")
    return None


live_updates.answers_early(changes, nothing_new)
