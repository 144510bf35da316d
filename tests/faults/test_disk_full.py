"""The file cache's disk fills up: pages are still served, and /health/ says so."""

import errno
import os
import subprocess

import pytest

from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def full_tmpfs(tmp_path):
    """A 256 KiB tmpfs, filled to the last byte."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        filler = os.open(mount_point / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 4096):
                pass
        except OSError as error:
            assert error.errno == errno.ENOSPC
        finally:
            os.close(filler)
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_pages_are_served_when_the_cache_disk_is_full(client, settings, full_tmpfs, make_article):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.GuardedFileBasedCache",
            "LOCATION": str(full_tmpfs / "cache"),
        }
    }
    article = make_article(headline="Harvest festival returns")
    for path in ("/", article.category.get_absolute_url(), article.get_absolute_url()):
        response = client.get(path, HTTP_USER_AGENT=READER_UA)
        assert response.status_code == 200, path
    assert "Harvest festival returns" in response.content.decode()
    assert "1 view" in response.content.decode()

    health = client.get("/health/")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert (health.json()["cache"], health.json()["disk"]) == ("down", "down")
