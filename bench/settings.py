"""The site's settings plus the benchmark's baseline view (``bench/urls.py``).

``make bench`` serves the site with ``DJANGO_SETTINGS_MODULE=bench.settings``; a
normal deploy uses ``newsroom.settings`` and never imports this package.
"""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# wrk is one client on one address standing in for thousands of readers, each with
# a User-Agent of its own: under the site's cap per address only the first few
# would count. The cap's tally is still kept on every counted view, so its cost
# is measured; only its limit is out of reach.
NEWSROOM_VIEWS_PER_ADDRESS = 10**9
