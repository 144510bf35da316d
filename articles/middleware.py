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
from django.urls import Resolver404, resolve
from django_htmx.middleware import HtmxDetails

from . import views


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
