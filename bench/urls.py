"""The site's URLs and the benchmark's baseline at /bench/baseline/."""

from django.urls import path

from bench.baseline import baseline_view
from newsroom.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/baseline/", baseline_view(), name="bench-baseline"),
    *site_urlpatterns,
]
