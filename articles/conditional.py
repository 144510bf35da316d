"""Conditional GET for feeds and sitemaps: one validator rule, ETag only.

A feed reader or crawler revalidates with ``If-None-Match`` and gets ``304 Not
Modified`` while nothing it would see has changed. The ETag is a fingerprint of
the published articles the response is built from, taken in one aggregate query
at request time, so it is exact without any cache:

- a scheduled article going live enters the set with no save: the count and the
  newest ``published_at`` move;
- an edit saves the article: the newest ``updated_at`` moves;
- a correction or update note moves the article's ``substantive_update_at``
  (the feeds' ``updated`` and the sitemap's ``lastmod``) without a save: the
  newest of those moves;
- unpublishing or deleting an article takes it out of the set: the count falls
  (and anything added at the same time moves one of the two dates).

No ``Last-Modified`` is sent: no date moves when an article leaves the set, so a
client revalidating with ``If-Modified-Since`` alone would wrongly be told that
nothing changed. Such a client gets the full response instead.
"""

import hashlib
from functools import wraps

from django.db.models import Count, Max
from django.views.decorators.http import condition

from . import caching


def fingerprint(*parts):
    """A short, stable digest of ``parts`` for use as an ETag."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def articles_fingerprint(articles):
    """The fingerprint of a set of articles, in one aggregate query."""
    summary = articles.order_by().aggregate(
        count=Count("pk"),
        newest=Max("published_at"),
        updated=Max("updated_at"),
        substantive=Max("substantive_update_at"),
    )
    return fingerprint(
        summary["count"], summary["newest"], summary["updated"], summary["substantive"]
    )


def etag(validator):
    """Decorate a view so it answers ``If-None-Match`` from ``validator``.

    ``validator`` takes the view's arguments and returns the ETag, or ``None``
    when there is nothing to validate (the view then answers, with its 404 if
    need be). A 304 is answered before the view runs: nothing is rendered.
    Any ``Last-Modified`` the view sets (the syndication and sitemap views do)
    is removed, for the reason given in this module's docstring; shared caches
    may keep the response briefly (``caching.share_briefly``).
    """

    def decorator(view):
        conditional_view = condition(etag_func=validator)(view)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = conditional_view(request, *args, **kwargs)
            response.headers.pop("Last-Modified", None)
            if response.status_code in (200, 304):
                caching.share_briefly(request, response)
            return response

        return wrapped

    return decorator
