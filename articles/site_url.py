"""
Absolute URLs from the site's configured address (``NEWSROOM_SITE_URL``), never
from the request: a Host header is the client's to choose (any port passes
ALLOWED_HOSTS), and what a page, feed or sitemap links to must not be.
"""

from functools import wraps

from django.conf import settings


def absolute(url):
    """``url`` as an absolute URL on the site; absolute URLs are returned as they are."""
    if url.startswith(("http://", "https://")):
        return url
    return settings.NEWSROOM_SITE_URL + (url if url.startswith("/") else f"/{url}")


class SiteRequest:
    """The request as seen at the site's address: its host and scheme are the
    configured ones; everything else is the request's own. For Django's
    syndication and sitemap views, which build links from the request."""

    def __init__(self, request):
        self._request = request
        self.scheme, _, self._host = settings.NEWSROOM_SITE_URL.partition("://")

    def __getattr__(self, name):
        return getattr(self._request, name)

    def get_host(self):
        return self._host

    def is_secure(self):
        return self.scheme == "https"

    def build_absolute_uri(self, location=None):
        return absolute(location if location is not None else self._request.get_full_path())


def at_site_url(view):
    """The view with links built from the site's address instead of the request's."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(SiteRequest(request), *args, **kwargs)

    return wrapped
