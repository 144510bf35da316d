"""
The article page as most readers get it: rendered once per content version,
kept in the shared cache, and completed per request.

This module owns the list of what is filled in per request (``request_values``):
the view count (in the header and in the JSON-LD), and the comment thread with
its count, which is the same for every reader but is kept under the thread's
version, so that a comment renders the thread again and not the whole page. The
page carries no reader's token: the comment form, with its CSRF token and signed
issue time, comes in its own request when the reader reaches it
(comments.views.comment_form), and every other action on the page fetches its
form the same way. The page is rendered with marked holes where those values go,
stored under the site's version, and each request fills them, which costs one
join instead of a template render. A page rendered for one reader gets exactly
the same values through its context, so both ways give the same bytes.

Only requests that would get exactly that page are served this way: anonymous
readers, no session (so no flash message to show), no thread page or order
chosen. Everyone else gets the page rendered for them.

Behind a shared cache (``NEWSROOM_CDN``) the same page is served to everyone
with the count it had when it was served; the page's own small request counts
the visit and brings the fresh count.
"""

import hashlib
import re
import time

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core import signing
from django.http import HttpResponse
from django.template.loader import render_to_string

from . import caching

# Marks no reader can type or guess: derived from the secret key.
_NONCE = hashlib.sha256(f"page-holes:{settings.SECRET_KEY}".encode()).hexdigest()[:16]
VIEWS = f"hole-{_NONCE}-views"
VIEW_NUMBER = f"hole-{_NONCE}-view-number"
THREAD = f"hole-{_NONCE}-thread"
COMMENT_NUMBER = f"hole-{_NONCE}-comment-number"
HOLES = {
    "views": VIEWS,
    "view_number": VIEW_NUMBER,
    "thread": THREAD,
    "comment_number": COMMENT_NUMBER,
}
_HOLE = re.compile(f"({'|'.join(map(re.escape, HOLES.values()))})")

# Query parameters that do not change the page (campaign tags and click ids).
IGNORED_PARAMETERS = ("utm_", "fbclid", "gclid", "mc_")

# How long shared caches may keep an article page in CDN mode; edits purge it.
EDGE_MAX_AGE = 300
EDGE_STALE_WHILE_REVALIDATE = 30

ISSUED_SALT = "comments.form-issued"
_last_issued = (None, "")  # ((second, signing key), token)


def issued_token():
    """The signed time a reader's form is issued at. Every form issued within the
    same second carries the same token, so it is signed once per second."""
    global _last_issued
    now = int(time.time())
    issued_for, token = _last_issued
    if issued_for != (now, settings.SECRET_KEY):
        token = signing.dumps(now, salt=ISSUED_SALT)
        _last_issued = ((now, settings.SECRET_KEY), token)
    return token


def views_label(count):
    return f"{intcomma(count)} view{'' if count == 1 else 's'}"


def request_values(request, article, with_thread=True):
    """Everything on the page that is filled in per request, by context name: the
    view count, and the comment thread with its count (the same for every reader,
    but kept under the thread's version: a comment does not make the rest of the
    page render again). A page rendered for one request renders its thread in
    place (``with_thread=False``): it may ask for another page or order of it."""
    values = {"views": views_label(article.view_count), "view_number": str(article.view_count)}
    if with_thread:
        thread, comment_count = thread_section(request, article)
        values.update(thread=thread, comment_number=str(comment_count))
    return values


def thread_section(request, article):
    """The comment thread as the article page shows it first (newest first, page
    one), and its comment count, cached under the thread's version."""

    def render():
        html = render_to_string("articles/_thread_section.html", {"article": article}, request)
        return html, article.comment_count

    key = caching.fragment_key(
        "thread-section", [article.pk], request, scopes=caching.thread_scopes(article)
    )
    return caching.cached(key, render, request)


def applies(request):
    """Whether this request gets the shared page."""
    if request.method not in ("GET", "HEAD") or getattr(request, "htmx", False):
        return False
    if any(not key.startswith(IGNORED_PARAMETERS) for key in request.GET):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


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
        [_NONCE, "cdn" if cdn else "holes", article.pk, request.scheme, request.get_host()],
        request,
    )

    def render():
        html = render_to_string(
            "articles/article_detail.html",
            render_context(page_values=HOLES, count_on_load=cdn),
            request,
        )
        return split_at_holes(html)

    segments, holes = caching.cached(key, render, request)
    response = HttpResponse(fill(segments, holes, request_values(request, article)))
    if cdn:
        # The same bytes for everyone: the count the page shows is the one it
        # was served with, and its own request brings the fresh one.
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={EDGE_MAX_AGE}, "
            f"stale-while-revalidate={EDGE_STALE_WHILE_REVALIDATE}"
        )
    else:
        # Every visit must reach the server to be counted: nothing may store the
        # page on the way, and the browser revalidates.
        response["Cache-Control"] = "private, no-cache"
    response["Surrogate-Key"] = f"site article-{article.pk}"
    return response
