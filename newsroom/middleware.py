"""Response headers the whole site shares, and the answer when the database is
unreachable."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("newsroom.degraded")


def permissions_policy(get_response):
    """Send ``Permissions-Policy`` built from settings.PERMISSIONS_POLICY.

    ``{"camera": []}`` turns the camera off for the page and every frame in it;
    ``{"fullscreen": ["self"]}`` allows it for the site's own pages only. A view
    that set the header itself keeps its own.
    """
    header = ", ".join(
        f"{feature}=({' '.join(allowed)})"
        for feature, allowed in settings.PERMISSIONS_POLICY.items()
    )

    def middleware(request):
        response = get_response(request)
        if header:
            response.headers.setdefault("Permissions-Policy", header)
        return response

    return middleware


class DatabaseUnavailable:
    """A page that needs the database while it is unreachable is a 503 with a
    retry message, not a server error: the reader is told to come back, and
    load balancers and caches see a temporary answer. Only connection-level
    failures qualify; any other database error is a bug and stays a 500.
    The answer renders without the database (templates/503.html)."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
