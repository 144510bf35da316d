"""/health/ is readiness (each dependency ok, degraded or down; 503 only when readers
cannot be served) and /health/live/ is liveness (touches nothing)."""

import time

import pytest
from django.db import OperationalError, connections

from newsroom import cache as guarded_cache

pytestmark = pytest.mark.django_db(transaction=True)


def broken_database(monkeypatch, *, hang=0.0):
    """Every connection, in every thread, fails (after ``hang`` seconds)."""

    def cursor(self, *args, **kwargs):
        time.sleep(hang)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(type(connections["default"]), "cursor", cursor)


def test_liveness_is_plain_ok_and_never_cached(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live/")
    assert (response.status_code, response.content) == (200, b"ok")
    assert "no-cache" in response["Cache-Control"]


def test_readiness_reports_each_dependency_ok(client, settings):
    settings.REDIS_URL = ""  # Redis is reported only when the site has one
    response = client.get("/health/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "disk": "ok",
        "views_lost": 0,
    }


def test_a_failing_cache_is_degraded_and_still_ready(client, monkeypatch):
    def full_disk(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(guarded_cache.GuardedCacheMixin, "check", full_disk)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "down"


def test_a_database_that_is_down_makes_the_site_not_ready(client, monkeypatch):
    broken_database(monkeypatch)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["database"] == "down"


def test_a_hung_database_is_reported_down_within_a_second(client, monkeypatch):
    broken_database(monkeypatch, hang=3)
    started = time.monotonic()
    response = client.get("/health/")
    assert time.monotonic() - started < 1
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_a_full_disk_is_reported(client, monkeypatch):
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr("newsroom.health.shutil.disk_usage", lambda path: usage(10, 10, 0))
    response = client.get("/health/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["disk"]) == ("degraded", "down")


def test_redis_is_reported_when_configured_and_down(client, settings):
    from articles.counting import redis_store

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    redis_store._client = None
    try:
        response = client.get("/health/")
    finally:
        redis_store._client = None
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["redis"]) == ("degraded", "down")
