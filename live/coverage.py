"""
What a live article's page shows of its coverage, and what a poll answers.

Readers get the entries newest first, the pinned one above them, a list of key
events, and pages of older entries (``?entries=2``, plain links). An open page
carries the cursor of the newest entry (``articles.live``) and polls with
``static/js/live-updates.js`` while the coverage is live, exactly as a comment
thread does: nothing new is a 204; new entries are announced in the page's
status region ("2 new updates — show") and brought in place when the reader
asks. Everything here is the same for every reader and is kept under the
article's page scope (``articles.caching.page_scope``), which an entry moves
on; ending the coverage is an edit of the article, which moves the site's.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

from articles import caching
from articles import live as live_updates
from articles.live import Cursor
from articles.search import plain_text
from articles.structured_data import person

from .models import LiveEntry

SALT = "live.entries"
PAGE_SIZE = 20


def _newest(article, request):
    return live_updates.newest(
        LiveEntry.objects.filter(article=article),
        "published_at",
        SALT,
        caching.fragment_key("live-latest", [article.pk], request, caching.page_scopes(article)),
        request,
    )


def latest(article, request=None):
    """The cursor of the article's newest entry (``articles.live.START`` for none)."""
    return _newest(article, request)[0]


def latest_signed(article, request=None):
    return _newest(article, request)[1]


def page_number(value, pages):
    """The page of older entries asked for, within those that exist (1 otherwise)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= pages else 1


@dataclass
class KeyEvent:
    pk: int
    label: str
    published_at: datetime
    page: int


@dataclass
class Coverage:
    """What ``live/_coverage.html`` needs."""

    article: object
    number: int
    pages: int
    entries: list
    pinned: object = None
    key_events: list = field(default_factory=list)
    cursor: str = ""
    polling: bool = False
    every: int = 20

    @property
    def ended(self):
        return not self.article.is_live_now

    @property
    def newer_page(self):
        return self.number - 1 if self.number > 1 else None

    @property
    def older_page(self):
        return self.number + 1 if self.number < self.pages else None

    def json_ld(self, request, data):
        """The article's JSON-LD (``articles.structured_data``) as live coverage:
        a ``LiveBlogPosting`` with the entries the page shows as
        ``liveBlogUpdate``, and the coverage's start and end."""
        article = self.article
        shown = ([self.pinned] if self.pinned else []) + self.entries
        url = data["url"]
        updates = [
            {
                "@type": "BlogPosting",
                "@id": f"{url}#entry-{entry.pk}",
                "url": f"{url}#entry-{entry.pk}",
                "headline": entry.summary,
                "articleBody": plain_text(entry.body),
                "datePublished": entry.published_at.isoformat(),
                **({"author": person(request, entry.author)} if entry.author else {}),
            }
            for entry in shown
        ]
        times = {
            "coverageStartTime": article.coverage_started_at,
            "coverageEndTime": article.coverage_ended_at,
        }
        # A live opinion or sponsored story is still that kind of story too.
        kind = data["@type"]
        return {
            **data,
            "@type": "LiveBlogPosting" if kind == "NewsArticle" else ["LiveBlogPosting", kind],
            **{key: when.isoformat() for key, when in times.items() if when is not None},
            "liveBlogUpdate": updates,
        }


def coverage(article, request=None, number=None):
    """The coverage as page ``number`` shows it, kept under the article's page
    scope: after each change four queries (count, pinned, page, key events),
    plus one for the newest entry; none otherwise."""
    if not article.is_live_coverage:
        return None
    scopes = caching.page_scopes(article)
    total = caching.cached(
        caching.fragment_key("live-count", [article.pk], request, scopes),
        lambda: LiveEntry.objects.filter(article=article, pinned=False).count(),
        request,
    )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if number is None:
        number = page_number(request.GET.get("entries") if request else None, pages)
    return caching.cached(
        caching.fragment_key("live-coverage", [article.pk, number], request, scopes),
        lambda: _coverage_page(article, number, pages, request),
        request,
    )


def _coverage_page(article, number, pages, request):
    entries = LiveEntry.objects.filter(article=article)
    shown = entries.select_related("author", "image")
    start = (number - 1) * PAGE_SIZE
    found = Coverage(
        article=article,
        number=number,
        pages=pages,
        entries=list(shown.timeline()[start : start + PAGE_SIZE]),
        pinned=shown.filter(pinned=True).first() if number == 1 else None,
        key_events=[
            KeyEvent(
                e.pk,
                e.key_event_label or e.summary,
                e.published_at,
                1 if e.pinned else e.newer // PAGE_SIZE + 1,
            )
            for e in entries.key_events()
        ],
        every=settings.NEWSROOM_LIVE_POLL_SECONDS,
    )
    if article.is_live_now and number == 1:
        found.cursor = latest_signed(article, request)
        found.polling = True
    return found


@dataclass
class Changes:
    """New entries after a cursor, oldest first, and the cursor to ask after next."""

    cursor: Cursor
    arrived: list = field(default_factory=list)
    too_many: bool = False


def changes_since(article, cursor, request=None):
    """The entries posted after ``cursor``, in one query, shared by every reader
    holding the same cursor."""

    def compute():
        found, too_many = live_updates.after(
            LiveEntry.objects.filter(article=article).select_related("author", "image"),
            "published_at",
            cursor,
        )
        newest = Cursor(found[-1].published_at, found[-1].pk) if found else cursor
        return Changes(newest, arrived=found, too_many=too_many)

    key = caching.fragment_key(
        "live-changes", [article.pk, cursor.sign(SALT)], request, caching.page_scopes(article)
    )
    return caching.cached(key, compute, request)
