"""
The article page as most readers get it: rendered once per content version,
kept in the shared cache, and completed per request.

What differs between two anonymous readers of the same article at the same
moment is small: the view count (in the header and in the JSON-LD), the CSRF
token (in the htmx header and the comment form) and the comment form's signed
timestamp. The page is rendered with marked holes in those places, stored, and
each request fills the holes, which costs a few string replacements instead of
a template render.

Only requests that would get exactly that page are served this way: anonymous
readers, no session (so no flash message to show), no thread page or order
chosen. Everyone else gets the page rendered for them.
"""

import hashlib
import re

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from . import caching

# Marks no reader can type or guess: derived from the secret key.
_NONCE = hashlib.sha256(f"page-holes:{settings.SECRET_KEY}".encode()).hexdigest()[:16]
VIEWS = f"hole-{_NONCE}-views"
VIEW_NUMBER = f"hole-{_NONCE}-view-number"
CSRF = f"hole-{_NONCE}-csrf"
ISSUED = f"hole-{_NONCE}-issued"
_HOLE = re.compile(f"({'|'.join(map(re.escape, (VIEW_NUMBER, VIEWS, CSRF, ISSUED)))})")

# Query parameters that do not change the page (campaign tags and click ids).
IGNORED_PARAMETERS = ("utm_", "fbclid", "gclid", "mc_")


def applies(request):
    """Whether this request gets the shared page."""
    if request.method not in ("GET", "HEAD") or getattr(request, "htmx", False):
        return False
    if any(not key.startswith(IGNORED_PARAMETERS) for key in request.GET):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def views_label(count):
    return f"{intcomma(count)} view{'' if count == 1 else 's'}"


def split_at_holes(html):
    """The page as bytes segments between its holes: ``(segments, holes)``, where
    hole ``n`` comes after segment ``n``. Filling it is then one join."""
    parts = _HOLE.split(html)
    return [part.encode() for part in parts[::2]], parts[1::2]


def fill(segments, holes, values):
    pieces = [segments[0]]
    for hole, segment in zip(holes, segments[1:], strict=True):
        pieces += (values[hole], segment)
    return b"".join(pieces)


def respond(request, article, render_context):
    """The article page for this request, from the shared copy when there is one."""
    # The marks are part of the key: a page stored under another secret key has
    # other marks, and must not be filled as if it had these.
    key = caching.fragment_key(
        "article-page", [_NONCE, article.pk, request.scheme, request.get_host()], request
    )
    # csrf_token in the view's context wins over the context processor's, and
    # inclusion tags (the comment form) copy it: every token becomes the hole.
    segments, holes = caching.cached(
        key,
        lambda: split_at_holes(
            render_to_string(
                "articles/article_detail.html",
                render_context(page_holes=True, csrf_token=CSRF),
                request,
            )
        ),
    )
    from comments.forms import issue_timestamp

    values = {
        VIEWS: views_label(article.view_count).encode(),
        VIEW_NUMBER: str(article.view_count).encode(),
        CSRF: get_token(request).encode(),
        ISSUED: issue_timestamp().encode(),
    }
    response = HttpResponse(fill(segments, holes, values))
    # What patch_cache_control(private=True, no_cache=True) gives, on a response
    # that has no Cache-Control yet.
    response["Cache-Control"] = "private, no-cache"
    return response
