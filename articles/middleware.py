"""The counting request of a page served from a shared cache, answered early.

Behind Varnish or a CDN every page view still sends one small request to the
site (``articles.views.viewed``), so its cost is the site's cost per view. It
reads no session, sets no cookie and renders no template, so the middleware
below this one (sessions, CSRF, authentication, messages, the security policy
headers for documents, sign-in throttling) has nothing to do for it. This
middleware answers it with the same view before they run. A request that
carries a session cookie (an editor, who must not be counted) goes the ordinary
way, and so does everything else.
"""

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404
from django.urls import Resolver404, resolve
from django_htmx.middleware import HtmxDetails

from . import views

POLL_SUFFIX = "/live/"


def counting_request(get_response):
    def middleware(request):
        if (
            request.path_info.endswith("/viewed/")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.func is views.viewed:
                request.htmx = HtmxDetails(request)
                return views.viewed(request, *match.args, **match.kwargs)
        return get_response(request)

    return middleware


DESK_COOKIE = "newsroom_desk"


def desk_flag(get_response):
    """Tells the browser of someone signed in to the desk that they are, in a
    cookie scripts can read (``newsroom_desk=1``), so the article page, the
    same cached bytes for everyone, can show them "Edit this article"
    (static/js/desk-link.js). It is a hint, not a credential: the link's
    address checks the session. Set on any admin page a staff member opens;
    removed once an admin page is answered to someone signed out."""
    from django.urls import reverse

    admin_prefix = reverse("admin:index")

    def middleware(request):
        response = get_response(request)
        if not request.path_info.startswith(admin_prefix):
            return response
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated and user.is_staff
        if signed_in and DESK_COOKIE not in request.COOKIES:
            response.set_cookie(
                DESK_COOKIE,
                "1",
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,
                samesite="Lax",
            )
        elif not signed_in and DESK_COOKIE in request.COOKIES:
            response.delete_cookie(DESK_COOKIE, samesite="Lax")
        return response

    return middleware


def live_poll(get_response):
    """Empty live-update polls, answered early.

    Every reader with a comment thread or a live coverage open asks for news
    every few seconds (``articles.live``); most answers are an empty 204 that
    reads no session, sets no cookie and renders nothing. A polled view names
    its cheap answer for a poll that has seen everything as its
    ``early_answer`` attribute (``articles.live.answers_early``); this gives
    that answer before the session, CSRF, authentication, messages,
    security-policy and sign-in middleware run for nothing. Anything else (news
    to show, a cursor that is not the newest, a plain browser, a database that
    fails) goes the ordinary way.
    """

    def middleware(request):
        if request.method in ("GET", "HEAD") and request.path_info.endswith(POLL_SUFFIX):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            early = getattr(match.func, "early_answer", None) if match is not None else None
            if early is not None:
                request.htmx = HtmxDetails(request)
                try:
                    answer = early(request, *match.args, **match.kwargs)
                except (DatabaseError, Http404):
                    answer = None  # the ordinary way says so properly
                if answer is not None:
                    return answer
        return get_response(request)

    return middleware
