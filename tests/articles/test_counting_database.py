"""Counting in the database (articles/counting/database.py), and the purge every
deployment schedules."""

import io
import os
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import counting
from articles.counting import database
from articles.models import (
    AddressViews,
    Article,
    FlushedViewBatch,
    ReaderSalt,
    ReaderView,
    UsedFormToken,
    ViewTally,
)
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db


def views_of(article):
    article.refresh_from_db()
    return article.view_count


def reader_request(user_agent=READER_UA, **meta):
    request = RequestFactory().get("/", HTTP_USER_AGENT=user_agent, **meta)
    request.user = AnonymousUser()
    return request


class TestStatements:
    def test_a_counted_view_is_a_mark_an_increment_and_a_tally(
        self, make_article, django_assert_num_queries
    ):
        article = make_article()
        Article.objects.filter(pk=article.pk).update(view_count=41)
        counting.daily_salt()  # a process asks for the day's salt once
        expected = 1 if connection.vendor == "postgresql" else 4
        with django_assert_num_queries(expected) as queries:
            assert counting.record_view(reader_request(), article) is True
        increment = queries.captured_queries[-1 if expected == 1 else 2]["sql"]
        assert "SET view_count = view_count + 1" in increment
        assert "RETURNING view_count" in increment
        assert article.view_count == 42 == views_of(article)

    def test_a_repeat_view_is_the_mark_and_a_read_of_the_count(
        self, make_article, django_assert_num_queries
    ):
        article = make_article()
        counting.record_view(reader_request(), article)
        with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
            assert counting.record_view(reader_request(), article) is False
        assert article.view_count == 1

    def test_an_uncountable_view_only_reads_the_count(
        self, make_article, django_assert_num_queries
    ):
        article = make_article()
        Article.objects.filter(pk=article.pk).update(view_count=7)
        with django_assert_num_queries(1):
            assert counting.record_view(reader_request("Googlebot/2.1"), article) is False
        assert article.view_count == 7

    @pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="PostgreSQL counts in one statement: there is no half-way",
    )
    @pytest.mark.django_db(transaction=True)
    def test_a_view_that_fails_half_way_leaves_neither_mark_nor_count(
        self, make_article, monkeypatch
    ):
        article = make_article()

        def tally_fails(*args, **kwargs):
            raise RuntimeError("the worker died")

        monkeypatch.setattr(database, "add_to_tally", tally_fails)
        with pytest.raises(RuntimeError):
            counting.record_view(reader_request(), article)
        assert views_of(article) == 0
        assert not ReaderView.objects.exists()
        monkeypatch.undo()
        assert counting.record_view(reader_request(), article) is True  # counts on retry
        assert views_of(article) == 1


class TestANewDay:
    def test_the_first_view_of_a_new_day_deletes_nothing(self, make_article):
        article = make_article()
        today = timezone.localdate()
        ReaderSalt.objects.create(day=today - timedelta(days=2), salt="old")
        stale = ReaderView.objects.create(
            article=article, reader="x" * 64, counted_at=timezone.now() - timedelta(days=1)
        )
        with CaptureQueriesContext(connection) as queries:
            assert counting.record_view(reader_request(), article) is True
        assert not [q for q in queries if q["sql"].upper().startswith("DELETE")]
        assert ReaderSalt.objects.filter(day=today - timedelta(days=2)).exists()
        assert ReaderView.objects.filter(pk=stale.pk).exists()
        assert ReaderSalt.objects.filter(day=today).exists()
        assert views_of(article) == 1


def visit(client, article, user_agent, address="203.0.113.7"):
    return client.get(
        article.get_absolute_url(), HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address
    ).content.decode()


class TestCapPerAddress:
    """One client rotating its User-Agent is one address: it counts at most
    NEWSROOM_VIEWS_PER_ADDRESS views of an article per window."""

    def test_one_address_counts_no_more_than_the_cap_whatever_its_user_agents(
        self, client, make_article, settings
    ):
        settings.NEWSROOM_VIEWS_PER_ADDRESS = 3
        article = make_article()
        for n in range(3):
            assert f"{n + 1} view" in visit(client, article, f"{READER_UA} reader/{n}")
        for n in range(3, 8):
            assert "3 views" in visit(client, article, f"{READER_UA} reader/{n}")
        assert views_of(article) == 3
        assert ViewTally.objects.get(article=article).views == 3

    def test_hopping_between_addresses_of_one_ipv6_64_counts_as_one_address(
        self, client, make_article, settings
    ):
        settings.NEWSROOM_VIEWS_PER_ADDRESS = 3
        article = make_article()
        for n in range(8):
            visit(client, article, f"{READER_UA} reader/{n}", address=f"2001:db8:1:2::{n + 1:x}")
        visit(client, article, f"{READER_UA} reader/9", address="2001:db8:1:3::1")  # next /64
        assert views_of(article) == 4

    def test_a_capped_address_leaves_no_marks(self, client, make_article, settings):
        settings.NEWSROOM_VIEWS_PER_ADDRESS = 3
        article = make_article()
        for n in range(10):
            visit(client, article, f"{READER_UA} reader/{n}")
        assert ReaderView.objects.filter(article=article).count() == 3
        assert AddressViews.objects.get(article=article).views == 3

    def test_other_addresses_and_other_articles_still_count(self, client, make_article, settings):
        settings.NEWSROOM_VIEWS_PER_ADDRESS = 2
        article, other_article = make_article(), make_article()
        for n in range(4):
            visit(client, article, f"{READER_UA} reader/{n}")
        visit(client, article, f"{READER_UA} reader/9", address="198.51.100.1")
        visit(client, other_article, f"{READER_UA} reader/9")
        assert views_of(article) == 3
        assert views_of(other_article) == 1

    def test_the_address_counts_again_once_its_window_is_over(self, client, make_article, settings):
        settings.NEWSROOM_VIEWS_PER_ADDRESS = 2
        settings.NEWSROOM_VIEWS_PER_ADDRESS_MINUTES = 60
        article = make_article()
        for n in range(3):
            visit(client, article, f"{READER_UA} reader/{n}")
        AddressViews.objects.update(started_at=timezone.now() - timedelta(minutes=61))
        visit(client, article, f"{READER_UA} reader/3")
        visit(client, article, f"{READER_UA} reader/4")
        visit(client, article, f"{READER_UA} reader/5")
        assert views_of(article) == 4
        assert AddressViews.objects.get(article=article).views == 2

    def test_the_address_is_kept_only_as_a_salted_hash(self, client, make_article):
        article = make_article()
        visit(client, article, READER_UA)
        address = AddressViews.objects.get(article=article).address
        assert len(address) == 64 and "203.0.113" not in address
        assert address not in ReaderView.objects.values_list("reader", flat=True)

    def test_the_default_cap_is_twenty_views_an_hour(self, settings):
        assert settings.NEWSROOM_VIEWS_PER_ADDRESS == 20
        assert settings.NEWSROOM_VIEWS_PER_ADDRESS_MINUTES == 60


class TestPurgeViewMarks:
    def purge(self):
        out = io.StringIO()
        call_command("purge_view_marks", stdout=out)
        return out.getvalue()

    def test_deletes_what_can_no_longer_matter_and_keeps_the_rest(self, make_article, settings):
        settings.NEWSROOM_VIEW_WINDOW_MINUTES = 30
        article = make_article()
        now = timezone.now()
        today = timezone.localdate()
        for days_ago in (0, 1, 3):
            ReaderSalt.objects.create(day=today - timedelta(days=days_ago), salt=f"s{days_ago}")
        for reader, minutes_ago in (("a", 5), ("b", 29), ("c", 31), ("d", 60 * 24)):
            ReaderView.objects.create(
                article=article, reader=reader * 64, counted_at=now - timedelta(minutes=minutes_ago)
            )
        for days_ago in (0, 7, 9):
            ViewTally.objects.create(
                article=article, hour=counting.hour_of(now - timedelta(days=days_ago)), views=1
            )
        FlushedViewBatch.objects.create(batch_id="recent")
        old = FlushedViewBatch.objects.create(batch_id="old")
        FlushedViewBatch.objects.filter(pk=old.pk).update(flushed_at=now - timedelta(days=8))

        settings.NEWSROOM_VIEWS_PER_ADDRESS_MINUTES = 60
        for address, minutes_ago in (("e", 59), ("f", 61)):
            AddressViews.objects.create(
                article=article,
                address=address * 64,
                started_at=now - timedelta(minutes=minutes_ago),
                views=20,
            )

        settings.NEWSROOM_COMMENT_FORM_MAX_AGE_HOURS = 24
        for nonce, hours_ago in (("recent", 23), ("old", 25)):
            UsedFormToken.objects.create(nonce=nonce, used_at=now - timedelta(hours=hours_ago))

        output = self.purge()

        assert list(UsedFormToken.objects.values_list("nonce", flat=True)) == ["recent"]
        assert list(ReaderSalt.objects.values_list("day", flat=True)) == [today]
        assert [a[0] for a in AddressViews.objects.values_list("address", flat=True)] == ["e"]
        assert sorted(r[0] for r in ReaderView.objects.values_list("reader", flat=True)) == [
            "a",
            "b",
        ]
        assert ViewTally.objects.count() == 2
        assert not ViewTally.objects.filter(hour__lt=now - timedelta(days=8)).exists()
        assert list(FlushedViewBatch.objects.values_list("batch_id", flat=True)) == ["recent"]
        assert output == (
            "Deleted: salts 2, reader marks 2, address tallies 1, tallies 1, flushed batches 1, "
            "used form tokens 1.\n"
        )

    def test_a_reader_marked_within_the_window_still_counts_once_after_a_purge(self, make_article):
        article = make_article()
        counting.record_view(reader_request(), article)
        self.purge()
        assert counting.record_view(reader_request(), article) is False
        assert views_of(article) == 1

    def test_with_nothing_to_delete_it_is_harmless(self):
        assert self.purge() == (
            "Deleted: salts 0, reader marks 0, address tallies 0, tallies 0, flushed batches 0, "
            "used form tokens 0.\n"
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_distinct_readers_add_exactly_n(live_server, make_article, settings):
    """N readers at once through a threaded server, each on its own connection
    and from its own address."""
    settings.NEWSROOM_TRUSTED_PROXIES = 1
    article = make_article()
    url = live_server.url + article.get_absolute_url()
    readers = 40

    def read(n):
        request = urllib.request.Request(
            url, headers={"User-Agent": f"{READER_UA} reader/{n}", "X-Forwarded-For": f"10.0.0.{n}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(read, range(readers)))
    with ThreadPoolExecutor(max_workers=16) as pool:  # the same readers again: no change
        statuses += list(pool.map(read, range(readers)))

    assert statuses == [200] * readers * 2
    assert views_of(article) == readers
    assert ViewTally.objects.get(article=article).views == readers
    assert ReaderView.objects.filter(article=article).count() == readers


@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_from_one_address_count_exactly_the_cap(live_server, make_article):
    """One client with 40 User-Agents at once: exactly the default cap counts."""
    article = make_article()
    url = live_server.url + article.get_absolute_url()

    def read(n):
        request = urllib.request.Request(url, headers={"User-Agent": f"{READER_UA} reader/{n}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(read, range(40)))

    assert statuses == [200] * 40
    assert views_of(article) == 20
    assert ViewTally.objects.get(article=article).views == 20
    assert AddressViews.objects.get(article=article).views == 20
