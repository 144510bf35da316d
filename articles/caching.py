"""
Shared fragment caching that stays correct.

Rendered fragments (the navigation, the home page, category listings) live in the
configured cache, which every worker shares. Their keys carry a *content version*
that any change a reader could see moves on (``bump_content_version``: saving or
deleting an article, category or source, moderating a comment), so a change is
visible at once on every worker with nothing to delete.

A scheduled article changes the listings when its time comes, with no save to
bump the version; so each fragment is also stored with the time it stops being
valid: the next scheduled publication known when it was rendered.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone

VERSION_KEY = "content-version"


def content_version(request=None):
    """The current content version; read once per request when given the request."""
    version = getattr(request, "_content_version", None)
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, timeout=None)
            version = cache.get(VERSION_KEY, 1)
        if request is not None:
            request._content_version = version
    return version


def bump_content_version(**kwargs):
    """Invalidate every fragment (usable as a signal receiver)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: nothing cached under one either
        cache.add(VERSION_KEY, 1, timeout=None)


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
    entry = cache.get(key)
    if entry is None:
        return None
    html, valid_until = entry
    if valid_until is not None and timezone.now() >= valid_until:
        return None
    return html


def set_fragment(key, html):
    version = key.split(":", 2)[1]
    cache.set(
        key, (html, next_scheduled_publication(version)), timeout=settings.NEWSROOM_FRAGMENT_TTL
    )


def cached(key, compute):
    """``compute()``'s result, kept under ``key`` (a fragment_key) like a fragment."""
    entry = cache.get(key)
    if entry is not None and (entry[1] is None or timezone.now() < entry[1]):
        return entry[0]
    value = compute()
    version = key.split(":", 2)[1]
    cache.set(
        key, (value, next_scheduled_publication(version)), timeout=settings.NEWSROOM_FRAGMENT_TTL
    )
    return value


def cached_article(slug, request=None):
    """The published article for its page, from the shared cache when it can be.

    Cached under the content version, so any edit (or comment) is seen at once;
    the view count in the cached copy is stale and is refreshed by counting.
    Raises Http404 when no published article has this slug.
    """
    from django.shortcuts import get_object_or_404

    from .models import Article

    return cached(
        fragment_key("article", [slug], request),
        lambda: get_object_or_404(Article.objects.published().for_page(), slug=slug),
    )


def cached_category(slug, request=None):
    """The category for its page, from the shared cache when it can be (or Http404)."""
    from django.shortcuts import get_object_or_404

    from .models import Category

    return cached(
        fragment_key("category", [slug], request),
        lambda: get_object_or_404(Category, slug=slug),
    )
