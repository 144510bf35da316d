"""Throwaway services for the fault suite: each test starts its own on a free port
and stops it by its pid; the shared PostgreSQL and Redis are never touched."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from articles.counting import redis_store
from newsroom import degraded
from tests.servers import free_port

REDIS_SERVER = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin")


NO_PERSISTENCE = ["--save", "", "--appendonly", "no"]


class ThrowawayRedis:
    """``redis-server`` as a child process: no persistence, so a restart is empty."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", *NO_PERSISTENCE],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self):
        self.process.kill()
        self.process.wait()

    def hang(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.resume()
            self.kill()


@pytest.fixture
def throwaway_redis():
    if not REDIS_SERVER:
        pytest.skip("needs redis-server (Debian package redis-server)")
    server = ThrowawayRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site_on_throwaway_redis(settings, monkeypatch, throwaway_redis):
    """The site's cache and view counting in the throwaway Redis. A dependency that
    failed is tried again after 0.2 s instead of the production 5 s."""
    settings.REDIS_URL = throwaway_redis.url
    settings.NEWSROOM_VIEW_COUNTING = "redis"
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.GuardedRedisCache",
            "LOCATION": throwaway_redis.url,
            "KEY_PREFIX": "faults",
            "OPTIONS": settings.REDIS_CONNECTION_OPTIONS,
        }
    }
    monkeypatch.setattr(degraded, "RETRY_AFTER_SECONDS", 0.2)
    redis_store._client = None
    yield throwaway_redis
    redis_store._client = None
