"""
The shared cache, guarded: a cache that is down, hung, full or erroring is a miss.

The site's cache backends are Django's Redis and file caches with one change:
every operation that fails (a refused or timed-out connection, a full disk, a
corrupt entry) returns what a miss returns (``get`` the default, ``add`` False,
``set_many`` every key as not set) and marks the cache down for
``newsroom.degraded.RETRY_AFTER_SECONDS``, during which every operation is a miss
at once without trying. So a page is rendered and served instead of failing, and
a hung Redis costs each worker one socket timeout per period. Failures are
logged once per period under ``newsroom.degraded``.

A write skipped while the cache is down is a lost invalidation only if the cache
kept its data (Redis hung, not restarted): entries then live out their
``FRAGMENT_TTL`` (a minute) at most.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from . import degraded

HEALTH_KEY = "health-check"


class GuardedCacheMixin:
    dependency = degraded.cache

    def _guard(self, what, miss, operation, *args, **kwargs):
        if not self.dependency.available():
            return miss
        try:
            return operation(*args, **kwargs)
        except Exception as error:  # any failure of the cache is a miss, never a 500
            self.dependency.failed(error, what)
            return miss

    def get(self, key, default=None, version=None):
        return self._guard("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._guard("clear", None, super().clear)

    def check(self):
        """Write and read back a key, raising what the cache raises (for /health/)."""
        super().set(HEALTH_KEY, "ok", 10)
        if super().get(HEALTH_KEY) != "ok":
            raise OSError("the cache did not keep a value just written")


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool.

    Django makes a new ``redis.Redis`` for every cache operation, and redis-py's
    constructor builds its table of response callbacks (some 170 entries) each
    time: on the counting request of the CDN mode that was a tenth of the
    worker's time. A ``redis.Redis`` takes a connection from its pool for each
    command and is safe to share between threads, so one per pool does.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class GuardedRedisCache(GuardedCacheMixin, RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


class GuardedFileBasedCache(GuardedCacheMixin, FileBasedCache):
    pass
