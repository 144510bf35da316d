"""Files browsers ask for at fixed addresses: /favicon.ico and the web manifest."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, JsonResponse
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

ICON_SIZES = (192, 512)
THEME_COLOUR = "#b3261e"  # the icon's red
ONE_DAY = 24 * 60 * 60


@require_safe
def favicon(request):
    """Browsers and feed readers fetch /favicon.ico whatever the page links."""
    path = finders.find("images/favicon.ico")
    if path is None:
        raise Http404("No favicon.")
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115
    patch_cache_control(response, public=True, max_age=ONE_DAY)
    return response


@require_safe
def web_manifest(request):
    """What a browser needs to add the site to a home screen."""
    manifest = {
        "name": settings.SITE_NAME,
        "short_name": settings.SITE_NAME,
        "description": f"{settings.SITE_NAME}: news, reported and sourced.",
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {
                "src": static(f"images/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in ICON_SIZES
        ],
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    patch_cache_control(response, public=True, max_age=ONE_DAY)
    return response
