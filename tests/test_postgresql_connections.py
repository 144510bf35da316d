"""PostgreSQL connections come from psycopg's pool, health-checked before use."""

import os

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def request_cycle():
    """What Django does around a request: a query, then the connection given back."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    connection.close()
    return pid


def test_the_engine_is_djangos_own_backend_with_a_checked_pool():
    database = connection.settings_dict
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] == 0 and database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["pool"] and connection.pool is not None


def test_a_request_gives_its_connection_back_to_the_pool():
    request_cycle()
    idle = connection.pool.get_stats()["pool_available"]
    request_cycle()
    assert connection.pool.get_stats()["pool_available"] == idle
    assert connection.connection is None


def test_a_connection_the_server_closed_while_idle_is_replaced_before_use():
    connection.close_pool()  # a new process's pool: one connection, reused
    connection.pool.open(wait=True)
    pids = {request_cycle() for _ in range(3)}
    assert len(pids) == 1
    # Another session ends it, as a server restart or an idle timeout would.
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        killed = other.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert killed  # ours, and any other the test database had open
    new_pid = request_cycle()  # no error: the pool's check found it dead and replaced it
    assert new_pid not in pids


def test_a_server_that_never_answers_fails_a_request_within_seconds():
    """A database host that accepts connections but never answers (hung, or a
    firewall) costs a request a few seconds, then a 503, not psycopg's 30 s."""
    import socket
    import time

    from django.db import OperationalError
    from django.db.backends.postgresql.base import DatabaseWrapper

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nobody ever answers
        settings = {**connection.settings_dict, "HOST": "127.0.0.1"}
        settings["PORT"] = silent.getsockname()[1]
        hung = DatabaseWrapper(settings, alias="hung-database")
        started = time.monotonic()
        try:
            with pytest.raises(OperationalError):
                hung.ensure_connection()
        finally:
            hung.close_pool()
        assert time.monotonic() - started < 6
