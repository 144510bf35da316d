"""
Shared caching that stays correct, and the one place that invalidates it.

Rendered fragments and objects live in the configured cache, which every worker
shares, under keys that carry *content versions*. A version belongs to a scope:

- ``SITE``: everything editors change (articles, categories, sources, the
  discussion settings). Listings, the navigation, search results and article
  pages depend on it.
- ``thread_scope(slug)``: one article's comment thread and comment count. A
  comment that readers can see appear, change or go touches only its article's
  thread; a comment held for review touches nothing.
- ``page_scope(slug)``: what one article's page shows of its own beyond the
  article and its thread: its live coverage. An entry posted during a match
  touches that page (and its polls) only, not the rest of the site.

``invalidate()`` moves versions on once the transaction that made the change has
committed (before that, a reader could cache the old content under the new
version) and tells the edge caches in front (``articles.purging``) to drop what
they hold. A version is a random token, not a counter: setting a new one is
atomic on every cache backend, two changes can never collapse into one, and a
version that the cache lost is replaced by a new one, so nothing stale returns.

A scheduled article goes live with no save (and an article or a pin expires, a
banner starts or ends), so each entry also carries the time it stops being
valid: the next such change known when it was stored, or the end of its lifetime (``FRAGMENT_TTL``), whichever comes first. View and comment counts
on listing cards may therefore lag by up to ``FRAGMENT_TTL``; the article page's
own counts never do.

An entry never changes once stored under a version, so each process keeps the
entries it used last in memory (``LocalEntries``): a warm page costs one shared
lookup, the versions'.
"""

import math
import secrets
import threading
from collections import OrderedDict
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.cache import patch_cache_control

SITE = "site"
# How long an entry may live at most: the lag of counts on listing cards.
FRAGMENT_TTL = 60
# How long a computed "next go-live" is trusted before it is looked up again.
GO_LIVE_TTL = 60


def thread_scope(slug):
    return f"thread:{slug}"


def page_scope(slug):
    return f"page:{slug}"


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


def _version_key(scope):
    return f"version:{scope}"


def _new_version():
    return secrets.token_hex(6)


def versions(scopes, request=None):
    """The current version of each scope, in one cache round trip.

    With a request, versions are read once per request: everything the request
    renders is stored under the versions it read before it read the data.
    """
    known = getattr(request, "_content_versions", None) if request is not None else None
    if known is None:
        known = {}
        if request is not None:
            request._content_versions = known
    missing = [scope for scope in scopes if scope not in known]
    if missing:
        found = cache.get_many([_version_key(scope) for scope in missing])
        for scope in missing:
            version = found.get(_version_key(scope))
            if version is None:
                # add() keeps a version another process set meanwhile.
                cache.add(_version_key(scope), _new_version(), timeout=None)
                version = cache.get(_version_key(scope)) or _new_version()
            known[scope] = version
    return [known[scope] for scope in scopes]


def invalidate(*scopes, purge_keys=()):
    """Move the scopes' versions on and purge the edge caches, after commit.

    Outside a transaction this happens at once.
    """

    def apply():
        cache.set_many({_version_key(scope): _new_version() for scope in scopes}, timeout=None)
        if purge_keys:
            from . import purging

            purging.purge(*purge_keys)

    transaction.on_commit(apply)


def invalidate_site(**kwargs):
    """Everything readers see changed (usable as a signal receiver)."""
    invalidate(SITE, purge_keys=["site"])


def invalidate_thread(article):
    """An article's comment thread or comment count changed."""
    invalidate(thread_scope(article.slug), purge_keys=[f"article-{article.pk}"])


def invalidate_page(article):
    """Something only the article's own page shows changed (its live coverage)."""
    invalidate(page_scope(article.slug), purge_keys=[f"article-{article.pk}"])


def next_change(site_version):
    """When readers' pages next change by themselves, or None: a scheduled
    article goes live, an article or a pin expires, a banner starts or ends
    (``models.next_timed_change``).

    Looked up once per site version and again once the time it names has
    passed (or after ``GO_LIVE_TTL``), so entries stored after a change do not
    expire at once; each process remembers it like an entry.
    """
    from .models import next_timed_change

    key = f"next-change:{site_version}"
    now = timezone.now()
    entry = local_entries.get(key)  # (when, look again at)
    if entry is None or entry[1] <= now:
        entry = cache.get(key)
        if entry is None or entry[1] <= now:
            when = next_timed_change(now)
            again = now + timedelta(seconds=GO_LIVE_TTL)
            entry = (when, min(again, when) if when is not None else again)
            cache.set(key, entry, timeout=GO_LIVE_TTL)
        local_entries.set(key, entry)
    return entry[0]


def fragment_key(name, vary_on=(), request=None, scopes=(SITE,)):
    """A key for ``name`` under the scopes' current versions.

    ``vary_on`` must hold validated, bounded values only (a page number within
    the pages that exist, a hashed query): every distinct value is an entry.
    """
    current = versions(scopes, request)
    return ":".join(["fragment", *current, name, *map(str, vary_on)])


def get_fragment(key):
    """The value stored under ``key`` if it is still valid, else None."""
    entry = local_entries.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is None:
            return None
        local_entries.set(key, entry)
    value, valid_until = entry
    if timezone.now() >= valid_until:
        return None
    return value


def valid_until(request=None):
    """Until when something rendered now stays right: the end of its lifetime,
    or the next timed change (a go-live, an expiry, a banner's start or end),
    whichever comes first."""
    return edge_of(timezone.now() + timedelta(seconds=FRAGMENT_TTL), request)


def edge_of(until, request=None):
    """``until``, or the next timed change when that comes first."""
    (site_version,) = versions([SITE], request)
    change = next_change(site_version)
    return min(until, change) if change is not None else until


def share_briefly(request, response):
    """Mark a response that is the same for every reader (listings, feeds,
    sitemaps): shared caches (Varnish, a CDN) may keep it until it could change
    (at most ``FRAGMENT_TTL``, never past the next timed change) and purge it with the
    ``site`` key; browsers revalidate, so an editor sees an edit on the next load.
    A page that showed a reader their flash message is theirs alone."""
    messages = getattr(request, "_messages", None)
    if messages is not None and messages.used:
        patch_cache_control(response, private=True, no_cache=True)
        return response
    seconds = math.ceil((valid_until(request) - timezone.now()).total_seconds())
    patch_cache_control(response, public=True, max_age=0, s_maxage=max(0, seconds))
    response["Surrogate-Key"] = "site"
    return response


def set_fragment(key, value, request=None):
    entry = (value, valid_until(request))
    cache.set(key, entry, timeout=FRAGMENT_TTL)
    local_entries.set(key, entry)


def cached(key, compute, request=None):
    """``compute()``'s result, kept under ``key`` (a ``fragment_key``)."""
    value = get_fragment(key)
    if value is None:
        value = compute()
        set_fragment(key, value, request)
    return value


def cached_article(slug, request=None, counted=True):
    """The published article for its page, from the shared cache when it can be.

    The article is kept under the site version, so an edit is seen at once; its
    ``comment_count`` is kept apart under its thread's version
    (``comment_count``), so a comment does not reload the article. The view
    count in the cached copy is stale and is refreshed by counting. Raises
    Http404 when no published article has this slug.

    ``counted=False``: without the comment count, which is a query after each
    change to the thread, for an answer that does not show it (an empty poll).
    Read anyway, ``comment_count`` then comes from the database.
    """
    from django.shortcuts import get_object_or_404

    from .models import Article

    # The article page's scopes, all in one round trip.
    versions([SITE, thread_scope(slug), page_scope(slug)], request)
    article = cached(
        fragment_key("article", [slug], request),
        lambda: get_object_or_404(Article.objects.published().for_page(), slug=slug),
        request,
    )
    # A shallow copy: the request sets its own counts on it, and the cached
    # object may be shared with other requests of this process.
    clone = object.__new__(type(article))
    clone.__dict__.update(article.__dict__)
    if counted:
        clone.comment_count = comment_count(clone, request)
    else:
        clone.__dict__.pop("comment_count", None)  # deferred: never the stale cached count
    return clone


def article_notes(article, request=None):
    """The article's correction, clarification and update notes, oldest first,
    kept under the site version: one query after a change, none otherwise."""
    return cached(
        fragment_key("notes", [article.pk], request),
        lambda: list(article.notes.all()),
        request,
    )


def comment_count(article, request=None):
    """The article's comment count as its thread shows it, kept under the thread's
    version: one query after each change readers can see, none otherwise."""
    from .models import Article

    return cached(
        fragment_key("comment-count", [article.pk], request, scopes=thread_scopes(article)),
        lambda: (
            Article.objects.filter(pk=article.pk)
            .order_by()
            .values_list("comment_count", flat=True)[0]
        ),
        request,
    )


def thread_scopes(article):
    """What an article's thread section depends on: the site and the thread."""
    return (SITE, thread_scope(article.slug))


def page_scopes(article):
    """What an article's own page depends on beside its thread: the site and the page."""
    return (SITE, page_scope(article.slug))


def cached_category(slug, request=None):
    """The category for its page, from the shared cache when it can be (or Http404)."""
    from .models import Category

    return cached_by_slug(Category, slug, request)


def cached_by_slug(model, slug, request=None):
    """The ``model`` row (a category, contributor or topic) with this slug for
    its page, from the shared cache when it can be (or Http404)."""
    from django.shortcuts import get_object_or_404

    return cached(
        fragment_key(model._meta.model_name, [slug], request),
        lambda: get_object_or_404(model, slug=slug),
        request,
    )
