"""
What is failing right now, and the rule for how often to try it again.

A dependency that fails (the shared cache, Redis) is marked down for
``RETRY_AFTER_SECONDS``: meanwhile callers skip it at once, so a hung server
costs each process one timeout per period, not one per request. The first
failure of each ``LOG_EVERY_SECONDS`` is logged under ``newsroom.degraded``
(with how many followed the last line), never one line per request.
``/health/`` reads the same state.

The state is per process: each worker finds out on its own, after one timeout.
"""

import logging
import threading
import time

logger = logging.getLogger("newsroom.degraded")

RETRY_AFTER_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0


class Dependency:
    def __init__(self, name):
        self.name = name
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.last_failure = None  # (monotonic time, error text)
        self.last_logged = None
        self.unlogged = 0

    def available(self):
        """Whether to try the dependency now (it has not failed within the period)."""
        return time.monotonic() >= self.down_until

    def failed(self, error, what=""):
        now = time.monotonic()
        with self.lock:
            self.down_until = now + RETRY_AFTER_SECONDS
            self.last_failure = (now, f"{type(error).__name__}: {error}")
            log = self.last_logged is None or now - self.last_logged >= LOG_EVERY_SECONDS
            if log:
                self.last_logged, skipped, self.unlogged = now, self.unlogged, 0
            else:
                self.unlogged += 1
        if log:
            logger.warning(
                "%s unavailable%s, served without it for %g s: %s: %s%s",
                self.name,
                f" ({what})" if what else "",
                RETRY_AFTER_SECONDS,
                type(error).__name__,
                error,
                f" ({skipped} more failures since the last report)" if skipped else "",
            )

    def recently_failed(self, within=LOG_EVERY_SECONDS):
        failure = self.last_failure
        return failure is not None and time.monotonic() - failure[0] < within

    def reset(self):
        with self.lock:
            self.down_until = 0.0
            self.last_failure = self.last_logged = None
            self.unlogged = 0


cache = Dependency("shared cache")
redis_counting = Dependency("Redis view counting")
