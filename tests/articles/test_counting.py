"""The view-count rules (articles/counting.py)."""

import os
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.test import RequestFactory

from articles import counting
from articles.models import Article, ReaderSalt, ReaderView, ViewTally
from tests.conftest import READER_UA, days_ago

pytestmark = pytest.mark.django_db


def views_of(article):
    article.refresh_from_db()
    return article.view_count


def visit(client, article, **headers):
    return client.get(article.get_absolute_url(), **headers)


class TestWhatCounts:
    def test_a_readers_visit_counts_and_the_page_includes_it(self, reader_client, make_article):
        article = make_article()
        response = visit(reader_client, article)
        assert "1 view" in response.content.decode()
        assert views_of(article) == 1

    def test_repeat_visits_within_the_window_count_once(self, reader_client, make_article):
        article = make_article()
        for _ in range(3):
            visit(reader_client, article)
        assert views_of(article) == 1

    def test_counted_views_are_tallied_by_the_hour(self, client, make_article):
        article = make_article()
        for n in range(3):
            visit(client, article, HTTP_USER_AGENT=f"{READER_UA} {n}")
        tally = ViewTally.objects.get(article=article)
        assert tally.views == 3
        assert tally.hour.minute == tally.hour.second == 0

    def test_uncounted_visits_are_not_tallied(self, client, make_article):
        visit(client, make_article(), HTTP_USER_AGENT="Googlebot/2.1")
        assert not ViewTally.objects.exists()

    def test_a_visit_after_the_window_counts_again(
        self, reader_client, make_article, settings, monkeypatch
    ):
        settings.NEWSROOM_VIEW_WINDOW_MINUTES = 30
        article = make_article()
        visit(reader_client, article)
        later = counting.timezone.now() + timedelta(minutes=31)
        monkeypatch.setattr(counting.timezone, "now", lambda: later)
        visit(reader_client, article)
        assert views_of(article) == 2

    def test_distinct_readers_each_count(self, client, make_article):
        article = make_article()
        visit(client, article, HTTP_USER_AGENT=READER_UA, REMOTE_ADDR="203.0.113.1")
        visit(client, article, HTTP_USER_AGENT=READER_UA, REMOTE_ADDR="203.0.113.2")
        visit(client, article, HTTP_USER_AGENT=READER_UA + " other", REMOTE_ADDR="203.0.113.1")
        assert views_of(article) == 3

    def test_one_reader_counts_once_per_article(self, reader_client, make_article):
        first, second = make_article(), make_article()
        visit(reader_client, first)
        visit(reader_client, second)
        assert (views_of(first), views_of(second)) == (1, 1)

    @pytest.mark.parametrize(
        "user_agent",
        [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "facebookexternalhit/1.1",
            "curl/8.5.0",
            "python-requests/2.32",
            "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36",
            "",
        ],
    )
    def test_bots_do_not_count(self, client, make_article, user_agent):
        article = make_article()
        response = visit(client, article, HTTP_USER_AGENT=user_agent)
        assert response.status_code == 200
        assert views_of(article) == 0

    def test_head_requests_do_not_count(self, reader_client, make_article):
        article = make_article()
        assert reader_client.head(article.get_absolute_url()).status_code == 200
        assert views_of(article) == 0

    def test_htmx_partial_requests_do_not_count(self, reader_client, make_article):
        article = make_article()
        visit(reader_client, article, HTTP_HX_REQUEST="true")
        assert views_of(article) == 0

    def test_staff_visits_do_not_count(self, reader_client, editor, make_article):
        article = make_article()
        reader_client.force_login(editor)
        visit(reader_client, article)
        assert views_of(article) == 0

    def test_logged_in_readers_count(self, reader_client, make_user, make_article):
        article = make_article()
        reader_client.force_login(make_user())
        visit(reader_client, article)
        assert views_of(article) == 1

    def test_counting_needs_no_cookie(self, client, make_article):
        article = make_article()
        for _ in range(2):  # a fresh cookie jar each time, as a cookie-refusing browser
            client.cookies.clear()
            response = visit(client, article, HTTP_USER_AGENT=READER_UA)
            assert set(response.cookies) <= {"csrftoken"}  # the comment form's, nothing else
        assert views_of(article) == 1

    def test_listing_pages_set_no_cookie_at_all(self, reader_client, make_article):
        article = make_article()
        assert not reader_client.get("/").cookies
        assert not reader_client.get(article.category.get_absolute_url()).cookies

    def test_nothing_identifying_is_stored(self, reader_client, make_article):
        visit(reader_client, make_article(), REMOTE_ADDR="198.51.100.7")
        mark = ReaderView.objects.get()
        assert "198.51.100.7" not in mark.reader and len(mark.reader) == 64


class TestReaderIdentity:
    def _request(self, **meta):
        return RequestFactory().get("/", HTTP_USER_AGENT=READER_UA, **meta)

    def test_salt_rotates_daily(self):
        today = counting.timezone.localdate()
        assert counting.daily_salt(today) != counting.daily_salt(today + timedelta(days=1))

    def test_a_new_days_salt_deletes_old_salts_and_stale_marks(self, make_article):
        today = counting.timezone.localdate()
        ReaderSalt.objects.create(day=today - timedelta(days=2), salt="old")
        ReaderView.objects.create(article=make_article(), reader="x" * 64, counted_at=days_ago(1))
        counting.daily_salt(today)
        assert list(ReaderSalt.objects.values_list("day", flat=True)) == [today]
        assert not ReaderView.objects.exists()

    def test_salt_is_shared_through_the_database(self):
        first = counting.daily_salt()
        counting._salt_cache.clear()  # as another worker process would start
        assert counting.daily_salt() == first

    def test_proxy_address_is_used_only_when_proxies_are_trusted(self, settings):
        request = self._request(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
        settings.NEWSROOM_TRUSTED_PROXIES = 0
        assert counting.client_address(request) == "10.0.0.1"
        settings.NEWSROOM_TRUSTED_PROXIES = 1
        assert counting.client_address(request) == "203.0.113.5"

    def test_drafts_never_count_even_if_asked_directly(self, make_article):
        article = make_article(status=Article.Status.DRAFT)
        request = self._request(REMOTE_ADDR="203.0.113.9")
        request.user = type("Anon", (), {"is_authenticated": False})()
        assert counting.record_view(request, article) is False
        assert views_of(article) == 0


def test_increment_is_a_single_update_in_the_database(
    reader_client, make_article, django_capture_on_commit_callbacks
):
    """No read-modify-write: the counter is raised by the database itself."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = make_article()
    Article.objects.filter(pk=article.pk).update(view_count=41)
    with CaptureQueriesContext(connection) as queries:
        visit(reader_client, article)
    updates = [q["sql"] for q in queries if "SET view_count = view_count + 1" in q["sql"]]
    assert len(updates) == 1  # one statement (on PostgreSQL the mark and tally are in it too)
    assert "RETURNING view_count" in updates[0]
    read_back = re.compile(r'SELECT\s+("articles_article"\.)?"?view_count"?\s+FROM')
    reads = [q for q in queries if read_back.match(q["sql"])]
    assert not reads  # the page shows what the UPDATE returned: nothing read back in Python
    assert views_of(article) == 42


@pytest.mark.django_db(transaction=True)
def test_concurrent_distinct_readers_add_exactly_n(live_server, make_article):
    """N readers at once through a threaded server, each on its own connection."""
    article = make_article()
    url = live_server.url + article.get_absolute_url()
    readers = 40

    def read(n):
        request = urllib.request.Request(url, headers={"User-Agent": f"{READER_UA} reader/{n}"})
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


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's single-statement path")
class TestPostgresCountingStatement:
    """A counted view commits without waiting for the WAL flush (nothing else does),
    and its statement is planned once per connection."""

    def synchronous_commit(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    def count(self, article, reader="reader-a"):
        from django.utils import timezone

        return counting._count_in_one_statement(article.pk, reader, timezone.now())

    @pytest.mark.parametrize("wait, in_the_views_transaction", [(False, "off"), (True, "on")])
    def test_the_views_own_transaction_skips_the_flush_unless_told_to_wait(
        self, make_article, settings, wait, in_the_views_transaction
    ):
        from django.db import transaction

        settings.NEWSROOM_VIEW_SYNCHRONOUS_COMMIT = wait
        article = make_article()
        with transaction.atomic():
            assert self.count(article) == (True, 1)
            assert self.synchronous_commit() == in_the_views_transaction

    @pytest.mark.django_db(transaction=True)
    def test_the_setting_ends_with_the_views_transaction(self, make_article):
        article = make_article()
        assert self.count(article) == (True, 1)
        assert self.synchronous_commit() == "on"  # the next transaction (a comment) waits
        assert views_of(article) == 1

    @pytest.mark.django_db(transaction=True)
    def test_the_statement_is_planned_once_per_connection(self, make_article):
        from django.db import connection

        article = make_article()
        for n in range(3):
            self.count(article, reader=f"reader-{n}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert len([sql for sql in prepared if "view_count = view_count + 1" in sql]) == 1
        assert views_of(article) == 3

    @pytest.mark.django_db(transaction=True)
    def test_prepared_statements_can_be_turned_off_for_a_pooler(self, make_article):
        from django.db import connection

        article = make_article()
        connection.ensure_connection()
        connection.connection.prepare_threshold = None  # as with the setting at 0
        try:
            self.count(article)
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_prepared_statements")
                assert cursor.fetchone()[0] == 0
        finally:
            connection.close()
        assert views_of(article) == 1
