"""
Health for load balancers and operators.

``/health/live/`` is liveness: the process answers; it touches nothing.

``/health/`` is readiness: whether this process can serve readers, with each
dependency's state (``ok``, ``degraded`` or ``down``)::

    {"status": "degraded", "database": "ok", "cache": "down", "redis": "down",
     "disk": "ok", "views_lost": 0}

It answers 200 while readers can be served, degraded included (a cache or Redis
that is down only makes pages slower), and 503 only when they cannot: the
database is down. Each check has a tight deadline, so a hung dependency makes the
report say so instead of making it hang. ``views_lost`` counts the views this
process could not store since it started (articles.counting).
"""

import shutil
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles import counting
from articles.counting import redis_store

from . import degraded

OK, DEGRADED, DOWN = "ok", "degraded", "down"
DATABASE_DEADLINE_SECONDS = 0.5
# Less free space than this on a path the site writes to is "degraded".
DISK_LOW_BYTES = 100 * 1024 * 1024


@require_safe
@never_cache
def live(request):
    """Liveness: the process answers. No database, cache or disk is touched."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def ready(request):
    report = {"database": database_state(), "cache": cache_state()}
    if settings.REDIS_URL:
        report["redis"] = redis_state()
    report["disk"] = disk_state()
    if report["database"] == DOWN:
        status = DOWN
    elif all(state == OK for state in report.values()):
        status = OK
    else:
        status = DEGRADED
    return JsonResponse(
        {"status": status, **report, "views_lost": counting.lost_views.total},
        status=503 if status == DOWN else 200,
    )


def database_state():
    """``ok`` when a one-row read answers within the deadline, else ``down``.

    It runs in a thread of its own, with that thread's own connection, so a
    database that hangs costs the report the deadline and nothing more.
    """
    result = []

    def probe():
        try:
            with connection.cursor() as cursor:
                # A read of a real table: the file or server must really answer.
                cursor.execute("SELECT 1 FROM django_migrations LIMIT 1")
                cursor.fetchone()
                result.append(True)
        except Exception:
            result.append(False)
        finally:
            connections.close_all()

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(DATABASE_DEADLINE_SECONDS)
    return OK if result == [True] else DOWN


def cache_state():
    """``ok`` when the shared cache keeps a value, ``down`` when it fails (pages
    are then rendered each time: the site is degraded, not down)."""
    check = getattr(cache, "check", None)
    if check is None:
        return OK
    if not degraded.cache.available():
        return DOWN
    try:
        check()
    except Exception as error:
        degraded.cache.failed(error, "health check")
        return DOWN
    return OK


def redis_state():
    """``ok`` when Redis answers a PING within its socket timeout, else ``down``
    (views are then counted in the database)."""
    try:
        redis_store.client().ping()
    except redis_store.UNAVAILABLE:
        return DOWN
    return OK


def written_paths():
    """The folders the site writes to: the SQLite file's, media, the file cache."""
    paths = [settings.MEDIA_ROOT]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        paths.append(Path(database["NAME"]).parent)
    location = settings.CACHES["default"].get("LOCATION")
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache") and location:
        paths.append(location)
    return paths


def disk_state():
    """``down`` when a written folder is full, ``degraded`` when it has less than
    ``DISK_LOW_BYTES`` free, else ``ok``; a folder that does not exist yet is
    judged by the nearest one that does."""
    state = OK
    for path in written_paths():
        path = Path(path)
        while not path.exists() and path != path.parent:
            path = path.parent
        try:
            free = shutil.disk_usage(path).free
        except OSError:
            return DOWN
        if free == 0:
            return DOWN
        if free < DISK_LOW_BYTES:
            state = DEGRADED
    return state
