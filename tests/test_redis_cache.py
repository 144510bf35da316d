"""The Redis cache keeps one redis-py client per connection pool
(newsroom.cache.ReusingRedisCacheClient), instead of Django's one per operation."""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from newsroom.cache import GuardedRedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_cache(location):
    return GuardedRedisCache(location, {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"})


def test_every_operation_uses_the_same_client_of_its_connection_pool():
    cache = redis_cache("redis://127.0.0.1:1/0")  # nothing is sent: no server needed
    client = cache._cache.get_client("a")

    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is client  # one server: one pool
    assert client.connection_pool is cache._cache._get_connection_pool(False)


def test_each_server_keeps_a_client_of_its_own():
    cache = redis_cache("redis://127.0.0.1:1/0;redis://127.0.0.1:2/0")
    writer = cache._cache.get_client(write=True)

    assert writer.connection_pool.connection_kwargs["port"] == 1  # writes go to the first
    assert cache._cache.get_client(write=True) is writer
    reader = cache._cache.get_client()
    assert reader.connection_pool.connection_kwargs["port"] == 2  # reads to the other
    assert reader is not writer


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set REDIS_URL")
def test_the_shared_client_answers_many_threads_each_with_its_own_values():
    cache = redis_cache(REDIS_URL)

    def round_trip(n):
        cache.set(f"key-{n}", {"n": n}, 30)
        return [cache.get(f"key-{n}") for _ in range(20)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(round_trip, range(40)))
    try:
        assert results == [[{"n": n}] * 20 for n in range(40)]
    finally:
        cache.delete_many([f"key-{n}" for n in range(40)])
