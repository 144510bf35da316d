"""Empty live-update polls, answered early.

Every reader with a thread or a live coverage open asks for news every few
seconds (``comments.views.live_changes``, ``live.views.changes``); most answers are an empty 204 that reads no
session, sets no cookie and renders nothing. This middleware gives those answers
(``views.nothing_new``) before the session, CSRF, authentication, messages,
security-policy and sign-in middleware run for nothing. Anything else (news to
show, a cursor that is not the newest, a plain browser, a database that fails)
goes the ordinary way.
"""

from django.db import DatabaseError
from django.http import Http404
from django.urls import Resolver404, resolve
from django_htmx.middleware import HtmxDetails

from live import views as live_views

from . import views

POLL_SUFFIX = "/live/"
# Each polled view, and its cheap answer for a poll that has seen everything.
EARLY_ANSWERS = {
    views.live_changes: views.nothing_new,
    live_views.changes: live_views.nothing_new,
}


def live_poll(get_response):
    def middleware(request):
        if request.method in ("GET", "HEAD") and request.path_info.endswith(POLL_SUFFIX):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            early = EARLY_ANSWERS.get(match.func) if match is not None else None
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
