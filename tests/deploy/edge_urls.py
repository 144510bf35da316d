"""The site's URLs plus a few pages whose caching headers the Varnish tests pick.

They let the tests check each rule of deploy/varnish.vcl on its own, whatever
headers the real pages send.
"""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

SHARED = "public, max-age=0, s-maxage=300, stale-while-revalidate=30"


@csrf_exempt
def tagged_page(request, tag="page"):
    """A page any shared cache may keep, tagged ``site <tag>``."""
    response = HttpResponse(f"<p>The {tag} page, {request.method}.</p>")
    response["Cache-Control"] = SHARED
    response["Surrogate-Key"] = f"site {tag}"
    return response


def shared_beacon(request, slug):
    return tagged_page(request, "beacon")


def shared_preview(request, token):
    return tagged_page(request, "preview")


def page_setting_a_cookie(request):
    response = tagged_page(request, "cookie")
    response.set_cookie("flavour", "oatmeal")
    return response


def page_without_cache_headers(request):
    return HttpResponse("<p>No word on caching.</p>")


urlpatterns = [
    path("edge/cookie/", page_setting_a_cookie),
    path("edge/unmarked/", page_without_cache_headers),
    path("edge/<slug:tag>/", tagged_page),
    # Shared pages at addresses Varnish must pass whatever the headers say.
    path("admin/edge/", tagged_page),
    path("health/", tagged_page),
    path("articles/<slug:slug>/viewed/", shared_beacon),
    path("preview/<str:token>/", shared_preview),
    path("", include("newsroom.urls")),
]
