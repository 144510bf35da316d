"""
Django's PostgreSQL backend, with health checks that skip a connection in use.

With ``CONN_HEALTH_CHECKS``, Django pings a persistent connection (``SELECT 1``)
before its first query in every request, to catch connections the server or a
pooler closed while they sat idle. Under load that ping is a second round trip
on every page, and a connection used a moment ago has had no time to go stale.
Like PgBouncer's ``server_check_delay``, this backend checks a connection only
when it has been idle for longer than ``NEWSROOM_DB_HEALTH_CHECK_DELAY`` seconds
(default 1; 0 checks before every request, as Django does).

A server that goes away between two requests on a busy connection is met by the
next query instead: that request fails, Django closes the connection, and the
worker's next request opens a new one.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    last_used = None  # time.monotonic() when a cursor was last taken

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.last_used is not None
            and time.monotonic() - self.last_used < settings.NEWSROOM_DB_HEALTH_CHECK_DELAY
        ):
            self.health_check_done = True  # used moments ago: no ping
        super().close_if_health_check_failed()

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self.last_used = time.monotonic()
        return cursor

    def close(self):
        super().close()
        self.last_used = None
