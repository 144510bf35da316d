"""HTTP caching: shared where it is safe, never where a request must be counted."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_listings_may_be_kept_briefly_by_shared_caches_and_browsers_revalidate(
    client, make_article
):
    article = make_article()
    for url in ("/", article.category.get_absolute_url(), "/search/?q=headline"):
        response = client.get(url)
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=60"
        assert response["Surrogate-Key"] == "site"
        assert not response.cookies


def test_shared_caches_keep_listings_no_longer_than_until_the_next_go_live(client, make_article):
    from datetime import timedelta

    from django.utils import timezone

    make_article()
    make_article(published_at=timezone.now() + timedelta(seconds=20))
    cache_control = client.get("/")["Cache-Control"]
    seconds = int(cache_control.rsplit("s-maxage=", 1)[1])
    assert 0 < seconds <= 20


def test_a_page_that_shows_a_flash_message_is_private(client, make_article):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    make_article()
    request = HttpRequest()
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Your comment has been posted.")
    response = HttpRequest()
    from django.http import HttpResponse

    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    page = client.get("/")
    assert "Your comment has been posted." in page.content.decode()
    assert page["Cache-Control"] == "private, no-cache"
    assert "Surrogate-Key" not in page


def test_article_pages_are_never_stored_on_the_way(client, make_article):
    response = client.get(make_article().get_absolute_url())
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]


def test_previews_are_never_cached_at_all(client, editor, make_article):
    client.force_login(editor)
    response = client.get(make_article(status="draft").get_absolute_url())
    assert "no-store" in response["Cache-Control"]


def test_hashed_static_files_are_immutable_and_compressed_in_production(tmp_path):
    """Served as in production: collectstatic, then whitenoise in front of the app."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "NEWSROOM_SITE_URL": "http://testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input"], check=True, **run)
    script = (
        "import django; django.setup()\n"
        "from django.templatetags.static import static\n"
        "from django.test import Client\n"
        "url = static('css/site.css')\n"
        "for accepted in ('gzip', 'gzip, deflate, br'):\n"
        "    response = Client().get(url, HTTP_ACCEPT_ENCODING=accepted)\n"
        "    print(url, response.status_code, response['Cache-Control'], response.get('Content-Encoding'), response['Vary'], sep='|')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], check=True, **run)
    gzip_line, brotli_line = result.stdout.strip().splitlines()
    url, status, cache_control, encoding, vary = gzip_line.split("|")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
    assert status == "200"
    assert "max-age=315360000" in cache_control and "immutable" in cache_control
    assert encoding == "gzip" and vary == "Accept-Encoding"
    # Brotli beside gzip (the Brotli package), served to browsers that accept it.
    assert (tmp_path / "static" / url.removeprefix("/static/")).with_suffix(".css.br").exists()
    assert brotli_line.split("|")[3] == "br"
