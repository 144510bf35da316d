"""
The article page as most readers get it: rendered once per content version,
kept in the shared cache, and completed per request.

This module owns the list of what differs between two anonymous readers of the
same article at the same moment (``request_values``): only the view count, in
the header and in the JSON-LD. The page carries no reader's token: the comment
form, with its CSRF token and signed issue time, comes in its own request when
the reader reaches it (comments.views.comment_form), and every other action on
the page fetches its form the same way. The page is rendered with marked holes
where the count goes, stored, and each request fills them, which costs one join
instead of a template render. A page rendered for one reader gets exactly the
same values through its context, so both ways give the same bytes.

Only requests that would get exactly that page are served this way: anonymous
readers, no session (so no flash message to show), no thread page or order
chosen. Everyone else gets the page rendered for them.

Behind a shared cache (``NEWSROOM_CDN``) the page has no per-request value at
all: the count is fetched by a small request from the page, so the edge can
serve the same bytes to everyone.
"""

import hashlib
import re

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpResponse
from django.template.loader import render_to_string

from . import caching

# Marks no reader can type or guess: derived from the secret key.
_NONCE = hashlib.sha256(f"page-holes:{settings.SECRET_KEY}".encode()).hexdigest()[:16]
VIEWS = f"hole-{_NONCE}-views"
VIEW_NUMBER = f"hole-{_NONCE}-view-number"
HOLES = {"views": VIEWS, "view_number": VIEW_NUMBER}
_HOLE = re.compile(f"({'|'.join(map(re.escape, HOLES.values()))})")

# The query parameters that change the page: another page or order of the thread
# (comments.tree reads them). Any other parameter (campaign tags, click ids, cache
# busters, made-up ones) is ignored, and so is a value that names the default view
# or none at all: they all get the shared page.
THREAD_VIEWS = {
    "cpage": re.compile(r"[2-9]|[1-9][0-9]{1,5}"),
    "csort": re.compile(r"oldest"),
}

# How long shared caches may keep an article page in CDN mode; edits purge it.
EDGE_MAX_AGE = 300
EDGE_STALE_WHILE_REVALIDATE = 30


def views_label(count):
    return f"{intcomma(count)} view{'' if count == 1 else 's'}"


def request_values(request, article):
    """Everything on the page that belongs to this request, by context name."""
    return {"views": views_label(article.view_count), "view_number": str(article.view_count)}


def applies(request):
    """Whether this request gets the shared page: a GET of the default view of the
    thread, with no session and no flash message to show.

    A cookie is believed only when it holds something: a session cookie the
    session store does not know, or a messages cookie that is not signed by the
    site, is the same as none, so a made-up cookie cannot buy a fresh render.
    """
    if request.method not in ("GET", "HEAD") or getattr(request, "htmx", False):
        return False
    if any(pattern.fullmatch(request.GET.get(name, "")) for name, pattern in THREAD_VIEWS.items()):
        return False
    return not _has_session(request) and not _has_messages(request)


def _has_session(request):
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # no session to load
    session = getattr(request, "session", None)
    return session is None or bool(session.keys())


def _has_messages(request):
    if "messages" not in request.COOKIES:
        return False
    storage = getattr(request, "_messages", None)
    return storage is None or len(storage) > 0  # counts them without marking them read


def split_at_holes(html):
    """The page as bytes segments between its holes: ``(segments, holes)``, where
    hole ``n`` comes after segment ``n``. Filling it is then one join."""
    parts = _HOLE.split(html)
    return [part.encode() for part in parts[::2]], parts[1::2]


def fill(segments, holes, values):
    by_hole = {HOLES[name]: value.encode() for name, value in values.items()}
    pieces = [segments[0]]
    for hole, segment in zip(holes, segments[1:], strict=True):
        pieces += (by_hole[hole], segment)
    return b"".join(pieces)


def respond(request, article, render_context):
    """The article page for this request, from the shared copy when there is one."""
    cdn = settings.NEWSROOM_CDN
    # The marks are part of the key: a page stored under another secret key has
    # other marks, and must not be filled as if it had these.
    key = caching.fragment_key(
        "article-page",
        [_NONCE, "cdn" if cdn else "holes", article.pk],  # links come from NEWSROOM_SITE_URL
        request,
        scopes=(caching.SITE, caching.thread_scope(article.slug)),
    )

    def render():
        page_values = {"views": views_label(article.view_count)} if cdn else HOLES
        html = render_to_string(
            "articles/article_detail.html",
            render_context(page_values=page_values, count_on_load=cdn),
            request,
        )
        return split_at_holes(html)

    segments, holes = caching.cached(key, render, request)
    if cdn:
        response = HttpResponse(b"".join(segments))
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={EDGE_MAX_AGE}, "
            f"stale-while-revalidate={EDGE_STALE_WHILE_REVALIDATE}"
        )
    else:
        response = HttpResponse(fill(segments, holes, request_values(request, article)))
        # Every visit must reach the server to be counted: nothing may store the
        # page on the way, and the browser revalidates.
        response["Cache-Control"] = "private, no-cache"
    response["Surrogate-Key"] = f"site article-{article.pk}"
    return response
