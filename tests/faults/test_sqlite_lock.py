"""SQLite under a writer: another process holding the write lock for seconds costs
readers at most about a second, never the page; views it blocks are reported lost."""

import sqlite3
import time

import pytest
from django.db import connection

from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the write lock is SQLite's; PostgreSQL locks rows")


def timed_get(client, path, reader="held"):
    started = time.monotonic()
    response = client.get(path, HTTP_USER_AGENT=f"{READER_UA} r/{reader}")
    return response, time.monotonic() - started


def test_pages_and_health_answer_while_another_process_holds_the_write_lock(
    client, sqlite_only, make_article
):
    article = make_article(headline="Dam holds after record rain")
    response, _ = timed_get(client, article.get_absolute_url(), reader="before")
    assert "1 view" in response.content.decode()

    holder = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another process's long write, e.g. a backup
    try:
        for reader in range(3):
            response, took = timed_get(client, article.get_absolute_url(), reader)
            assert response.status_code == 200
            assert "Dam holds after record rain" in response.content.decode()
            assert took < 1.5
        health, took = timed_get(client, "/health/")
        assert took < 1.5
        assert health.status_code == 200
        assert health.json()["database"] == "ok"
        assert health.json()["views_lost"] == 3
        assert timed_get(client, "/")[0].status_code == 200
    finally:
        holder.rollback()
        holder.close()

    response, _ = timed_get(client, article.get_absolute_url(), reader="after")
    assert "2 views" in response.content.decode()
    article.refresh_from_db()
    assert article.view_count == 2
