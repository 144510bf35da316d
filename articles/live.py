"""
Live updates by polling: the server's half of ``static/js/live-updates.js``.

A page that can change while a reader has it open (a comment thread, a live
blog) carries the cursor of the newest change it shows: a time and an id,
signed, so a poll can only name a point the server gave out and the answers it
caches are bounded. A poll asks what changed after it; nothing new is a 204,
which the script leaves alone, and costs at most one indexed query. Answers are
the same for every reader who holds the same cursor, so shared caches may keep
them briefly and purge them with the page.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.db.models import Q
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from . import caching

# How long a shared cache (Varnish, a CDN) may answer polls for the server.
SHARED_SECONDS = 5
# At most this many changes are brought in place; more, and the reader reloads.
MOST_SHOWN = 50


@dataclass(frozen=True, order=True)
class Cursor:
    """The newest change a page shows: when it happened, and the id that breaks ties."""

    at: datetime
    pk: int

    def sign(self, salt):
        return signing.Signer(salt=salt).sign(f"{self.at.isoformat()}~{self.pk}")

    @classmethod
    def read(cls, value, salt):
        """The cursor in ``value``, or None for anything the server did not sign."""
        try:
            at, pk = signing.Signer(salt=salt).unsign(value or "").split("~")
            return cls(datetime.fromisoformat(at), int(pk))
        except (signing.BadSignature, ValueError):
            return None

    def after(self, field, id_field="pk"):
        """Rows that changed after this cursor, by their ``field`` time and their
        id (``id_field``)."""
        return Q(**{f"{field}__gt": self.at}) | Q(**{field: self.at, f"{id_field}__gt": self.pk})


# Before anything changed: the cursor of a page with nothing on it yet.
START = Cursor(datetime(2000, 1, 1, tzinfo=UTC), 0)


def newest(rows, field, salt, key, request=None):
    """The cursor of the newest of ``rows`` by ``field`` and id (``START`` for
    none), and the same signed as pages carry it: one indexed query, kept under
    ``key`` (a ``caching.fragment_key`` of the scopes the rows belong to)."""

    def find():
        row = rows.order_by(f"-{field}", "-pk").values_list(field, "pk").first()
        return Cursor(*row) if row else None

    return cached_cursor(find, salt, key, request)


def cached_cursor(find, salt, key, request=None):
    """The cursor ``find()`` returns (``START`` for None), and the same signed as
    pages carry it, kept under ``key``: ``find`` runs once after each change."""

    def compute():
        cursor = find() or START
        return (cursor, cursor.sign(salt))

    return caching.cached(key, compute, request)


def after(rows, field, cursor, id_field="pk"):
    """The first ``MOST_SHOWN`` of ``rows`` that changed after ``cursor``, oldest
    first, in one query, and whether more are waiting: ``(rows, too_many)``."""
    found = rows.filter(cursor.after(field, id_field)).order_by(field, id_field)
    found = list(found[: MOST_SHOWN + 1])
    return found[:MOST_SHOWN], len(found) > MOST_SHOWN


def share(response, surrogate_key):
    """A poll's answer is the same for every reader with the same cursor: a shared
    cache may keep it for ``SHARED_SECONDS`` (and drops it when the page is
    purged); browsers ask again."""
    patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_SECONDS)
    patch_vary_headers(response, ["HX-Request"])
    response["Surrogate-Key"] = surrogate_key
    return response


def nothing_new(surrogate_key):
    """The answer to a poll when nothing changed: 204, no body."""
    return share(HttpResponse(status=204), surrogate_key)


def answers_early(view, nothing_new):
    """Mark ``view`` (a polled view) as answered by ``nothing_new(request,
    **kwargs)`` when that returns a response, before the rest of the middleware
    (``articles.middleware.live_poll``). Returns the view."""
    view.early_answer = nothing_new
    return view
