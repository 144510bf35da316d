"""Every feed passes the W3C Feed Validator (the one behind validator.w3.org/feed)
with no errors and no warnings, at the level the online service uses ("AA").

The validator is not published on PyPI; it is kept unchanged, under its
licence, in ``tests/vendor/feedvalidator``. It fetches each feed from a live
server whose address is the site's address, as a feed reader would.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from articles.models import ArticleNote
from tests.articles.test_feed_validity import articles, media_root, photo  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

VENDOR = Path(__file__).resolve().parents[1] / "vendor"

VALIDATE = """
import json, sys, urllib.request  # the validator uses urllib.request without importing it
sys.path.insert(0, sys.argv[1])
import feedvalidator
from feedvalidator import compatibility
from feedvalidator.formatter.text_plain import Formatter
try:
    events = feedvalidator.validateURL(sys.argv[2], firstOccurrenceOnly=1)["loggedEvents"]
except feedvalidator.logging.ValidationFailure as failure:
    events = [failure.event]
print(json.dumps(list(Formatter(compatibility.AA(events)))))
"""


def validate(url):
    result = subprocess.run(
        [sys.executable, "-c", VALIDATE, str(VENDOR), url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/latest/",
        "/feeds/latest/atom/",
        "/category/sports/feed/",
        "/category/sports/feed/atom/",
        "/corrections/feed/",
        "/corrections/feed/atom/",
        "/authors/ana/feed/",
        "/authors/ana/feed/atom/",
        "/topics/champions-league/feed/",
        "/topics/champions-league/feed/atom/",
    ],
)
def test_the_feed_has_no_errors_or_warnings(live_server, settings, articles, path):  # noqa: F811
    ArticleNote.objects.create(article=articles["match"], text="The score was 2-1, not 3-1.")
    ArticleNote.objects.create(
        article=articles["preview"],
        kind=ArticleNote.Kind.CLARIFICATION,
        text="The match is away.",
        retraction_note="It is at home after all.",
    )
    # By address: the validator wants a host name with a dot, or an IP address.
    site = live_server.url.replace("localhost", "127.0.0.1")
    settings.NEWSROOM_SITE_URL = site
    assert validate(site + path) == []
