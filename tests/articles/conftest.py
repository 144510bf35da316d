"""The view-count stores, for tests that must hold on each of them, and the
shared cache's writes."""

import os
import uuid

import pytest
from django.core.cache import cache

from articles.counting import redis_store

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def redis_counting(settings):
    """Count in Redis under a key prefix of this test's own; deleted afterwards."""
    if not REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    prefix = f"newsroom-test-{uuid.uuid4().hex[:12]}"
    settings.REDIS_URL = REDIS_URL
    settings.NEWSROOM_VIEW_COUNTING = "redis"
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": prefix},
    }
    redis_store._client = None
    yield prefix
    client = redis_store.client()
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    redis_store._client = None


@pytest.fixture(params=["database", "redis"] if REDIS_URL else ["database"])
def counting_store(request):
    """Each test using this runs once per store: the database, then Redis when
    REDIS_URL names one (CI's PostgreSQL and Redis run)."""
    if request.param == "redis":
        request.getfixturevalue("redis_counting")
    return request.param


@pytest.fixture
def cache_writes(monkeypatch):
    """The keys written to the shared cache from now on."""
    written = []
    real_set, real_set_many = cache.set, cache.set_many
    monkeypatch.setattr(
        cache, "set", lambda key, *a, **k: written.append(key) or real_set(key, *a, **k)
    )
    monkeypatch.setattr(
        cache,
        "set_many",
        lambda data, *a, **k: written.extend(data) or real_set_many(data, *a, **k),
    )
    return written
