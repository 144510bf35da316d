"""Counting in Redis (articles/counting/redis_store.py), and the flush that must never
lose or repeat a count.

These run against the real Redis named by REDIS_URL (CI sets it) and skip without it.
"""

import io
import os
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from articles.counting import redis_store
from articles.models import Article, FlushedViewBatch, ViewTally
from tests.conftest import READER_UA

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
HOUR = datetime(2026, 2, 25, 20, tzinfo=UTC)
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set REDIS_URL")


def db_views(article):
    article.refresh_from_db()
    return article.view_count


def visit(client, article, reader):
    return client.get(article.get_absolute_url(), HTTP_USER_AGENT=f"{READER_UA} reader/{reader}")


@pytest.mark.django_db
class TestBufferedCounting:
    def test_a_view_is_buffered_not_written_and_the_page_shows_it(
        self, client, redis_counting, make_article
    ):
        article = make_article()
        Article.objects.filter(pk=article.pk).update(view_count=100)
        response = visit(client, article, 1)
        assert "101 views" in response.content.decode()
        assert db_views(article) == 100
        assert redis_store.buffered_views(article.pk) == 1

    def test_the_shown_count_is_right_on_either_side_of_a_flush_with_no_query_between(
        self, client, redis_counting, make_article, django_assert_num_queries
    ):
        article = make_article()
        Article.objects.filter(pk=article.pk).update(view_count=100)
        assert "101 views" in visit(client, article, 1).content.decode()
        with django_assert_num_queries(0):  # the stored count is remembered
            assert "102 views" in visit(client, article, 2).content.decode()
        call_command("flush_view_counts", stdout=io.StringIO())
        assert db_views(article) == 102
        # A new generation: the database is asked once, and nothing is counted twice.
        assert "103 views" in visit(client, article, 3).content.decode()
        with django_assert_num_queries(0):
            assert "104 views" in visit(client, article, 4).content.decode()

    def test_repeat_views_within_the_window_count_once(self, client, redis_counting, make_article):
        article = make_article()
        for _ in range(3):
            visit(client, article, 1)
        visit(client, article, 2)
        assert redis_store.buffered_views(article.pk) == 2

    def test_uncounted_visits_still_show_the_buffered_views(
        self, client, redis_counting, make_article
    ):
        article = make_article()
        visit(client, article, 1)
        response = client.get(article.get_absolute_url(), HTTP_USER_AGENT="Googlebot/2.1")
        assert "1 view" in response.content.decode()

    def test_counting_costs_the_page_no_database_query(
        self, client, redis_counting, make_article, django_assert_max_num_queries
    ):
        article = make_article()
        visit(client, article, 0)  # the first reader warms the salt and shared fragments
        with django_assert_max_num_queries(2):  # the article and its sources
            visit(client, article, 1)

    def test_flush_moves_the_buffer_into_the_database(self, client, redis_counting, make_article):
        first, second = make_article(), make_article()
        for reader in range(3):
            visit(client, first, reader)
        visit(client, second, 0)
        call_command("flush_view_counts", stdout=io.StringIO())
        assert (db_views(first), db_views(second)) == (3, 1)
        assert ViewTally.objects.get(article=first).views == 3
        assert redis_store.buffered_views(first.pk) == 0
        assert "3 views" in visit(client, first, 0).content.decode()

    def test_flush_with_nothing_buffered_is_harmless(self, redis_counting, make_article):
        assert redis_store.flush() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_add_exactly_n_through_redis(
    redis_counting, live_server, make_article, settings
):
    settings.NEWSROOM_TRUSTED_PROXIES = 1  # each reader from an address of its own
    article = make_article()
    url = live_server.url + article.get_absolute_url()

    def read(n):
        request = urllib.request.Request(
            url, headers={"User-Agent": f"{READER_UA} reader/{n}", "X-Forwarded-For": f"10.0.1.{n}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert set(pool.map(read, list(range(50)) * 2)) == {200}
    assert redis_store.buffered_views(article.pk) == 50
    redis_store.flush()
    assert db_views(article) == 50


@pytest.mark.django_db
class TestCapPerAddress:
    def visit(self, client, article, n, address="203.0.113.7"):
        return client.get(
            article.get_absolute_url(),
            HTTP_USER_AGENT=f"{READER_UA} reader/{n}",
            REMOTE_ADDR=address,
        ).content.decode()

    def test_one_address_counts_no_more_than_the_cap_whatever_its_user_agents(
        self, client, redis_counting, make_article, settings
    ):
        settings.NEWSROOM_VIEWS_PER_ADDRESS = 3
        article = make_article()
        for n in range(3):
            assert f"{n + 1} view" in self.visit(client, article, n)
        for n in range(3, 8):
            assert "3 views" in self.visit(client, article, n)
        assert "4 views" in self.visit(client, article, 9, address="198.51.100.1")
        redis_store.flush()
        assert db_views(article) == 4

    def test_a_capped_address_leaves_no_marks_and_its_counter_expires(
        self, client, redis_counting, make_article, settings
    ):
        settings.NEWSROOM_VIEWS_PER_ADDRESS = 3
        settings.NEWSROOM_VIEWS_PER_ADDRESS_MINUTES = 60
        article = make_article()
        for n in range(10):
            self.visit(client, article, n)
        r = redis_store.client()
        assert len(list(r.scan_iter(f"{redis_counting}:views:seen:*"))) == 3
        [counter] = r.scan_iter(f"{redis_counting}:views:address:*")
        assert int(r.get(counter)) == 3
        assert 3500 < r.ttl(counter) <= 3600

    def test_the_address_counts_again_once_its_counter_expires(
        self, client, redis_counting, make_article, settings
    ):
        settings.NEWSROOM_VIEWS_PER_ADDRESS = 2
        article = make_article()
        for n in range(3):
            self.visit(client, article, n)
        r = redis_store.client()
        for counter in r.scan_iter(f"{redis_counting}:views:address:*"):
            r.delete(counter)  # as when its window ends
        assert "3 views" in self.visit(client, article, 3)


@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_from_one_address_count_exactly_the_cap_through_redis(
    redis_counting, live_server, make_article
):
    article = make_article()
    url = live_server.url + article.get_absolute_url()

    def read(n):
        request = urllib.request.Request(url, headers={"User-Agent": f"{READER_UA} reader/{n}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert set(pool.map(read, range(40))) == {200}
    assert redis_store.buffered_views(article.pk) == 20


def _database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _flush_in_a_process_that_dies_after(stage, prefix):
    script = (
        "import os, sys, django; django.setup()\n"
        "from articles.counting import redis_store\n"
        "redis_store.flush(on_stage=lambda s: os._exit(9) if s == sys.argv[1] else None)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "DJANGO_CACHE_PREFIX": prefix,
    }
    return subprocess.run(
        [sys.executable, "-c", script, stage], cwd=ROOT, env=env, capture_output=True, timeout=60
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stage", ["claimed", "committed", "released"])
def test_a_flush_killed_at_any_step_loses_and_repeats_nothing(redis_counting, make_article, stage):
    article = make_article()
    for n in range(7):
        assert redis_store.record_visit(article.pk, f"reader-{n}", 60, HOUR)[0]

    result = _flush_in_a_process_that_dies_after(stage, redis_counting)
    assert result.returncode == 9, result.stderr.decode()

    for n in range(7, 12):  # readers keep coming while the flush lies dead
        counted, buffered, *_ = redis_store.record_visit(article.pk, f"reader-{n}", 60, HOUR)
        assert counted
    assert db_views(article) + buffered == 12  # what the page shows
    assert db_views(article) + redis_store.buffered_views(article.pk) == 12

    redis_store.flush()
    assert db_views(article) == 12
    assert redis_store.buffered_views(article.pk) == 0
    assert not redis_store.client().smembers(redis_store.batches_key())
    assert FlushedViewBatch.objects.count() >= 1
    assert ViewTally.objects.get(article=article, hour=HOUR).views == 12
