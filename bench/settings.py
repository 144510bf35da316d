"""The site's settings plus the benchmark's baseline view (``bench/urls.py``).

``make bench`` serves the site with ``DJANGO_SETTINGS_MODULE=bench.settings``; a
normal deploy uses ``newsroom.settings`` and never imports this package.
"""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
