"""
Shared fragment caching that stays correct.

Rendered fragments (the navigation, the home page, category listings) live in the
configured cache, which every worker shares. Their keys carry a *content version*
that any change a reader could see moves on (``bump_content_version``: saving or
deleting an article, category or source, moderating a comment), so a change is
visible at once on every worker with nothing to delete.

A scheduled article changes the listings when its time comes, with no save to
bump the version; so each fragment is also stored with the time it stops being
valid: the next scheduled publication known when it was rendered, or the end of
its lifetime (``NEWSROOM_FRAGMENT_TTL``: view and comment counts on cards move
without a new version) if that comes first.

An entry never changes once stored under a version, so each process also keeps
the entries it used last in memory (``LocalEntries``), bounded in number and
obeying the same validity: a hot page costs one shared lookup, the version's,
instead of three. A version is never reused (the first one is random), so an
emptied or restarted cache cannot bring back what a process remembers.
"""

import secrets
import threading
from collections import OrderedDict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone

VERSION_KEY = "content-version"


class LocalEntries:
    """The last ``size`` entries this process used, least recently used out first."""

    def __init__(self, size):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def set(self, key, entry):
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


local_entries = LocalEntries(size=256)


def content_version(request=None):
    """The current content version; read once per request when given the request."""
    version = getattr(request, "_content_version", None)
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            first = _first_version()
            cache.add(VERSION_KEY, first, timeout=None)
            version = cache.get(VERSION_KEY, first)
        if request is not None:
            request._content_version = version
    return version


def _first_version():
    return secrets.randbits(40)


def bump_content_version(**kwargs):
    """Invalidate every fragment (usable as a signal receiver)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: nothing cached under one either
        cache.add(VERSION_KEY, _first_version(), timeout=None)


def next_scheduled_publication(version):
    """When the next scheduled article goes live, looked up once per content version."""
    from .models import Article

    key = f"next-scheduled:{version}"
    cached = cache.get(key)
    if cached is None:
        when = Article.objects.scheduled().aggregate(when=Min("published_at"))["when"]
        cached = (when,)
        cache.set(key, cached, timeout=settings.NEWSROOM_FRAGMENT_TTL)
    return cached[0]


def fragment_key(name, vary_on, request=None):
    parts = [str(part) for part in vary_on]
    return ":".join(["fragment", str(content_version(request)), name, *parts])


def get_fragment(key):
    """The value stored under ``key`` if it is still valid, else None."""
    entry = local_entries.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is None:
            return None
        local_entries.set(key, entry)
    value, valid_until = entry
    if valid_until is not None and timezone.now() >= valid_until:
        return None
    return value


def set_fragment(key, value):
    """Store ``value`` under ``key`` until its lifetime ends or the next scheduled
    article goes live, whichever comes first."""
    version = key.split(":", 2)[1]
    valid_until = timezone.now() + timedelta(seconds=settings.NEWSROOM_FRAGMENT_TTL)
    next_publication = next_scheduled_publication(version)
    if next_publication is not None:
        valid_until = min(valid_until, next_publication)
    entry = (value, valid_until)
    cache.set(key, entry, timeout=settings.NEWSROOM_FRAGMENT_TTL)
    local_entries.set(key, entry)


def cached(key, compute):
    """``compute()``'s result, kept under ``key`` (a fragment_key) like a fragment."""
    value = get_fragment(key)
    if value is None:
        value = compute()
        set_fragment(key, value)
    return value


def cached_article(slug, request=None):
    """The published article for its page, from the shared cache when it can be.

    Cached under the content version, so any edit (or comment) is seen at once;
    the view count in the cached copy is stale and is refreshed by counting.
    Raises Http404 when no published article has this slug.
    """
    from django.shortcuts import get_object_or_404

    from .models import Article

    article = cached(
        fragment_key("article", [slug], request),
        lambda: get_object_or_404(Article.objects.published().for_page(), slug=slug),
    )
    # A shallow copy (what copy.copy makes, without its pickling detour): the
    # request sets its own view count on it, and the cached object may be shared
    # with other requests of this process.
    clone = object.__new__(type(article))
    clone.__dict__.update(article.__dict__)
    return clone


def cached_category(slug, request=None):
    """The category for its page, from the shared cache when it can be (or Http404)."""
    from django.shortcuts import get_object_or_404

    from .models import Category

    return cached(
        fragment_key("category", [slug], request),
        lambda: get_object_or_404(Category, slug=slug),
    )
