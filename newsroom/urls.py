from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

import bench.baseline

admin.site.site_header = "Newsroom editors' desk"
admin.site.site_title = "Newsroom"
admin.site.index_title = "Desk"


@require_safe
@never_cache
def health(request):
    """Liveness for load balancers: the process answers; no database round trip."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("", include("articles.urls")),
]
# Only with NEWSROOM_BENCH_BASELINE=1 (make bench); empty otherwise.
urlpatterns += bench.baseline.urlpatterns()
