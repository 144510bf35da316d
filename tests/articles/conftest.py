"""The view-count stores, for tests that must hold on each of them."""

import os
import uuid

import pytest

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
