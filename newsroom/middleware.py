"""Response headers the whole site shares."""

from django.conf import settings


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
