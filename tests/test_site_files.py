"""What browsers fetch at fixed addresses: the favicon and the web manifest."""

import io
import json

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_a_real_icon_at_the_site_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    icon = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO" and {(16, 16), (32, 32)} <= icon.info["sizes"]
    assert "max-age=86400" in response["Cache-Control"]


def test_the_web_manifest_is_linked_and_names_the_site_with_its_icons(client):
    page = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Newsroom" and manifest["start_url"] == "/"
    sizes = {}
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        path = finders.find(icon["src"].removeprefix("/static/"))
        sizes[icon["sizes"]] = Image.open(path).size
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}


def test_pages_link_a_print_stylesheet(client):
    page = client.get("/").content.decode()
    assert 'href="/static/css/print.css" media="print"' in page


def test_reply_and_report_pages_are_not_indexed(client, make_comment):
    comment = make_comment()
    for url in (f"/comments/{comment.pk}/reply/", f"/comments/{comment.pk}/report/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<meta name="robots" content="noindex">' in response.content.decode()
