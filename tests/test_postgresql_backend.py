"""Persistent PostgreSQL connections: checked when idle, not on every busy request
(newsroom/postgresql/base.py)."""

import os
import time

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def pings(monkeypatch):
    """How many health checks (``SELECT 1``) the connection made."""
    made = []
    wrapper = connections["default"]
    original = wrapper.is_usable

    def is_usable():
        made.append(1)
        return original()

    monkeypatch.setattr(wrapper, "is_usable", is_usable)
    return made


def request_cycle():
    """What Django does around a request: reset the check, then run a query."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0]


def test_the_engine_is_djangos_backend_with_the_idle_check():
    assert connection.settings_dict["ENGINE"] == "newsroom.postgresql"
    assert connection.vendor == "postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_connection_used_moments_ago_is_not_pinged(pings):
    request_cycle()
    pings.clear()
    for _ in range(3):
        request_cycle()
    assert pings == []


def test_a_connection_idle_past_the_delay_is_pinged(pings, settings):
    settings.NEWSROOM_DB_HEALTH_CHECK_DELAY = 1
    request_cycle()
    pings.clear()
    connection.last_used = time.monotonic() - 2
    request_cycle()
    assert pings == [1]


def test_a_delay_of_zero_pings_before_every_request(pings, settings):
    settings.NEWSROOM_DB_HEALTH_CHECK_DELAY = 0
    request_cycle()
    pings.clear()
    request_cycle()
    request_cycle()
    assert pings == [1, 1]


def test_a_connection_the_server_closed_while_idle_is_replaced(settings):
    request_cycle()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        old_pid = cursor.fetchone()[0]
    # Another session ends this one, as a server restart or an idle timeout would.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    finally:
        other.close()
    connection.last_used = time.monotonic() - settings.NEWSROOM_DB_HEALTH_CHECK_DELAY - 1
    assert request_cycle() == 1  # no error: the check found it dead and reconnected
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid
