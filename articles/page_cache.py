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

Listings (``listing``) are simpler: nothing on them is per request, so the whole
response is kept under the site's version and served as kept to the same readers.

Behind a shared cache (``NEWSROOM_CDN``) the same page is served to everyone
with the count it had when it was served; the page's own small request counts
the visit and brings the fresh count.
"""

import hashlib
import math
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

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

# The query parameters that change the page: another page or order of the thread
# (comments.tree reads them), an older page of live entries (live.coverage). Any other parameter (campaign tags, click ids, cache
# busters, made-up ones) is ignored, and so is a value that names the default view
# or none at all: they all get the shared page.
THREAD_VIEWS = {
    "cpage": re.compile(r"[2-9]|[1-9][0-9]{1,5}"),
    "csort": re.compile(r"oldest"),
    "entries": re.compile(r"[2-9]|[1-9][0-9]{1,5}"),
}

# How long shared caches may keep an article page in CDN mode; edits purge it.
EDGE_MAX_AGE = 300
EDGE_STALE_WHILE_REVALIDATE = 30


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
    """Whether this request gets the shared article page: the default view of the
    thread, for a reader like any other (``shares_pages``)."""
    if any(pattern.fullmatch(request.GET.get(name, "")) for name, pattern in THREAD_VIEWS.items()):
        return False
    return shares_pages(request)


def shares_pages(request):
    """Whether this request gets pages as every reader does: a GET that is not
    htmx's, with no session and no flash message to show.

    A cookie is believed only when it holds something: a session cookie the
    session store does not know, or a messages cookie that is not signed by the
    site, is the same as none, so a made-up cookie cannot buy a fresh render.
    """
    if request.method not in ("GET", "HEAD") or getattr(request, "htmx", False):
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
        scopes=caching.page_scopes(article),
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
        # Never past the next timed change (the story's expiry, a banner's end).
        until = caching.edge_of(timezone.now() + timedelta(seconds=EDGE_MAX_AGE), request)
        s_maxage = max(0, math.ceil((until - timezone.now()).total_seconds()))
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={s_maxage}, "
            f"stale-while-revalidate={EDGE_STALE_WHILE_REVALIDATE}"
        )
    else:
        # Every visit must reach the server to be counted: nothing may store the
        # page on the way, and the browser revalidates.
        response["Cache-Control"] = "private, no-cache"
    response["Surrogate-Key"] = f"site article-{article.pk}"
    return response


def listing(request, name, vary_on, render):
    """A listing page (the home page, a section's, a contributor's or a topic's
    page number ``n``): the same for every reader, so the response ``render()``
    makes is kept whole under the site's version and ``name`` and ``vary_on``
    (validated values: the subject's id and a page number that exists), and served
    as kept to every request that ``shares_pages``. Everyone else, and a miss, get
    ``render()``, which reads the same cached fragments: both ways give the same
    bytes. A listing keeps no longer than its fragments do (``caching.valid_until``),
    so a go-live, an expiring pin or a banner's start shows on time."""
    if not shares_pages(request):
        return render()
    key = caching.fragment_key(f"{name}-page", vary_on, request)
    content = caching.get_fragment(key)
    if content is None:
        response = render()
        if response.status_code == 200:
            caching.set_fragment(key, response.content, request)
        return response
    return HttpResponse(content)
