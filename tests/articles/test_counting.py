"""The view-count rule (articles/counting/__init__.py), on each store that keeps it."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from articles import counting
from articles.models import Article, ReaderSalt, ReaderView, ViewTally
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db

PREFETCH_HEADERS = [
    {"HTTP_SEC_PURPOSE": "prefetch"},
    {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
    {"HTTP_PURPOSE": "prefetch"},
    {"HTTP_X_PURPOSE": "preview"},
    {"HTTP_X_MOZ": "prefetch"},
]
PREFETCH_IDS = ["sec-purpose", "sec-purpose-prerender", "purpose", "x-purpose", "x-moz"]
BOT_USER_AGENTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0)",
    "facebookexternalhit/1.1",
    "curl/8.5.0",
    "python-requests/2.32",
    "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36",
    "",
]


def shown_views(article):
    """The count a reader's page shows: the database's plus anything buffered."""
    article.refresh_from_db(fields=["view_count"])
    buffered = 0
    if django_settings.NEWSROOM_VIEW_COUNTING == "redis":
        buffered = counting.redis_store.buffered_views(article.pk)
    return article.view_count + buffered


def visit(client, article, **headers):
    return client.get(article.get_absolute_url(), **headers)


def beacon_request(method="GET", user=None, htmx=True, **headers):
    """The counting request a cached page makes, as the middleware hands it over."""
    headers.setdefault("HTTP_USER_AGENT", READER_UA)
    if htmx:
        headers.setdefault("HTTP_HX_REQUEST", "true")
    request = RequestFactory().generic(method, "/count/", **headers)
    request.user = user or AnonymousUser()
    if user is not None:
        request.COOKIES[django_settings.SESSION_COOKIE_NAME] = "a-session"
    request.htmx = HtmxDetails(request)
    return request


@pytest.mark.usefixtures("counting_store")
class TestWhatCountsOnThePage:
    def test_a_readers_visit_counts_and_the_page_includes_it(self, reader_client, make_article):
        article = make_article()
        response = visit(reader_client, article)
        assert "1 view" in response.content.decode()
        assert shown_views(article) == 1

    def test_repeat_visits_within_the_window_count_once(self, reader_client, make_article):
        article = make_article()
        for _ in range(3):
            visit(reader_client, article)
        assert shown_views(article) == 1

    def test_distinct_readers_each_count(self, client, make_article):
        article = make_article()
        visit(client, article, HTTP_USER_AGENT=READER_UA, REMOTE_ADDR="203.0.113.1")
        visit(client, article, HTTP_USER_AGENT=READER_UA, REMOTE_ADDR="203.0.113.2")
        visit(client, article, HTTP_USER_AGENT=READER_UA + " other", REMOTE_ADDR="203.0.113.1")
        assert shown_views(article) == 3

    def test_one_reader_counts_once_per_article(self, reader_client, make_article):
        first, second = make_article(), make_article()
        visit(reader_client, first)
        visit(reader_client, second)
        assert (shown_views(first), shown_views(second)) == (1, 1)

    @pytest.mark.parametrize("user_agent", BOT_USER_AGENTS)
    def test_bots_do_not_count(self, client, make_article, user_agent):
        article = make_article()
        response = visit(client, article, HTTP_USER_AGENT=user_agent)
        assert response.status_code == 200
        assert shown_views(article) == 0

    def test_head_requests_do_not_count(self, reader_client, make_article):
        article = make_article()
        assert reader_client.head(article.get_absolute_url()).status_code == 200
        assert shown_views(article) == 0

    def test_htmx_requests_of_the_page_do_not_count(self, reader_client, make_article):
        article = make_article()
        visit(reader_client, article, HTTP_HX_REQUEST="true")
        assert shown_views(article) == 0

    @pytest.mark.parametrize("headers", PREFETCH_HEADERS, ids=PREFETCH_IDS)
    def test_prefetch_and_prerender_do_not_count(self, reader_client, make_article, headers):
        article = make_article()
        assert visit(reader_client, article, **headers).status_code == 200
        assert shown_views(article) == 0

    def test_the_click_after_a_prefetch_counts(self, reader_client, make_article):
        article = make_article()
        visit(reader_client, article, HTTP_SEC_PURPOSE="prefetch")
        visit(reader_client, article)
        assert shown_views(article) == 1

    def test_staff_visits_do_not_count(self, reader_client, editor, make_article):
        article = make_article()
        reader_client.force_login(editor)
        visit(reader_client, article)
        assert shown_views(article) == 0

    def test_logged_in_readers_count(self, reader_client, make_user, make_article):
        article = make_article()
        reader_client.force_login(make_user())
        visit(reader_client, article)
        assert shown_views(article) == 1

    def test_an_uncounted_visit_still_shows_the_count(self, client, reader_client, make_article):
        article = make_article()
        visit(reader_client, article)
        response = visit(client, article, HTTP_USER_AGENT="Googlebot/2.1")
        assert "1 view" in response.content.decode()

    def test_a_draft_never_counts_even_if_asked_directly(self, make_article):
        article = make_article(status=Article.Status.DRAFT)
        request = beacon_request(htmx=False)
        assert counting.record_view(request, article) is False
        assert shown_views(article) == 0


@pytest.mark.usefixtures("counting_store")
class TestTheCountingRequestOfACachedPage:
    def test_an_htmx_counting_request_counts_and_returns_the_count(self, make_article):
        article = make_article()
        assert counting.record_beacon(beacon_request(), article) is True
        assert article.view_count == 1
        assert shown_views(article) == 1

    def test_a_noscript_image_request_counts(self, make_article):
        article = make_article()
        assert counting.record_beacon(beacon_request(htmx=False), article) is True
        assert shown_views(article) == 1

    def test_the_same_reader_counts_once_within_the_window(self, make_article):
        article = make_article()
        assert counting.record_beacon(beacon_request(), article) is True
        assert counting.record_beacon(beacon_request(htmx=False), article) is False
        assert article.view_count == 1

    def test_a_beacon_and_a_page_view_of_one_reader_count_once(self, reader_client, make_article):
        article = make_article()
        visit(reader_client, article)
        assert counting.record_beacon(beacon_request(), article) is False
        assert article.view_count == 1

    @pytest.mark.parametrize("user_agent", BOT_USER_AGENTS)
    def test_bots_do_not_count(self, make_article, user_agent):
        article = make_article()
        assert counting.record_beacon(beacon_request(HTTP_USER_AGENT=user_agent), article) is False
        assert shown_views(article) == 0

    @pytest.mark.parametrize("headers", PREFETCH_HEADERS, ids=PREFETCH_IDS)
    def test_prefetch_does_not_count(self, make_article, headers):
        article = make_article()
        assert counting.record_beacon(beacon_request(**headers), article) is False
        assert shown_views(article) == 0

    def test_head_does_not_count(self, make_article):
        article = make_article()
        assert counting.record_beacon(beacon_request("HEAD"), article) is False
        assert shown_views(article) == 0

    def test_staff_do_not_count(self, make_article, editor):
        article = make_article()
        assert counting.record_beacon(beacon_request(user=editor), article) is False
        assert shown_views(article) == 0

    @pytest.mark.parametrize(
        "overrides",
        [
            {"status": Article.Status.DRAFT},
            {"published_at": counting.timezone.now() + timedelta(days=1)},
        ],
        ids=["draft", "scheduled"],
    )
    def test_an_unpublished_article_does_not_count(self, make_article, overrides):
        article = make_article(**overrides)
        assert counting.record_beacon(beacon_request(), article) is False
        assert shown_views(article) == 0

    def test_uncounted_requests_still_get_the_count(self, make_article):
        article = make_article()
        counting.record_beacon(beacon_request(), article)
        bots_copy = Article.objects.get(pk=article.pk)
        counting.record_beacon(beacon_request(HTTP_USER_AGENT="Googlebot/2.1"), bots_copy)
        assert bots_copy.view_count == 1


class TestTheWindow:
    def test_a_visit_after_the_window_counts_again(
        self, reader_client, make_article, settings, monkeypatch
    ):
        settings.NEWSROOM_VIEW_WINDOW_MINUTES = 30
        article = make_article()
        visit(reader_client, article)
        later = counting.timezone.now() + timedelta(minutes=31)
        monkeypatch.setattr(counting.timezone, "now", lambda: later)
        visit(reader_client, article)
        assert shown_views(article) == 2

    def test_a_visit_inside_the_window_does_not(
        self, reader_client, make_article, settings, monkeypatch
    ):
        settings.NEWSROOM_VIEW_WINDOW_MINUTES = 30
        article = make_article()
        visit(reader_client, article)
        later = counting.timezone.now() + timedelta(minutes=29)
        monkeypatch.setattr(counting.timezone, "now", lambda: later)
        visit(reader_client, article)
        assert shown_views(article) == 1

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


def next_midnight():
    today = counting.timezone.localdate()
    return counting.timezone.make_aware(datetime.combine(today + timedelta(days=1), time()))


def at(monkeypatch, moment):
    monkeypatch.setattr(counting.timezone, "now", lambda: moment)


def visits_around_midnight(client, article, monkeypatch, *, before, after):
    """One reader's visit ``before`` minutes before midnight, and one ``after`` it."""
    midnight = next_midnight()
    at(monkeypatch, midnight - timedelta(minutes=before))
    visit(client, article)
    at(monkeypatch, midnight + timedelta(minutes=after))
    visit(client, article)


@pytest.mark.usefixtures("counting_store")
class TestAcrossMidnight:
    """The salt that tells readers apart changes at midnight; a repeat visit does not
    count again because of it."""

    def test_a_repeat_visit_just_after_midnight_does_not_count(
        self, reader_client, make_article, settings, monkeypatch
    ):
        settings.NEWSROOM_VIEW_WINDOW_MINUTES = 30
        article = make_article()
        visits_around_midnight(reader_client, article, monkeypatch, before=10, after=10)
        assert shown_views(article) == 1

    def test_another_readers_first_visit_after_midnight_counts(
        self, client, make_article, settings, monkeypatch
    ):
        article = make_article()
        midnight = next_midnight()
        at(monkeypatch, midnight - timedelta(minutes=10))
        visit(client, article, HTTP_USER_AGENT=f"{READER_UA} one")
        at(monkeypatch, midnight + timedelta(minutes=10))
        visit(client, article, HTTP_USER_AGENT=f"{READER_UA} two")
        assert shown_views(article) == 2


class TestTheWindowAcrossMidnight:
    def test_a_visit_past_the_window_counts_again_across_midnight(
        self, reader_client, make_article, settings, monkeypatch
    ):
        settings.NEWSROOM_VIEW_WINDOW_MINUTES = 30
        article = make_article()
        visits_around_midnight(reader_client, article, monkeypatch, before=20, after=15)
        assert shown_views(article) == 2

    def test_yesterdays_salt_is_asked_for_only_in_the_window_after_midnight(
        self, reader_client, make_article, settings, monkeypatch
    ):
        settings.NEWSROOM_VIEW_WINDOW_MINUTES = 30
        midnight = next_midnight()
        request = RequestFactory().get("/", HTTP_USER_AGENT=READER_UA)
        yesterdays = counting.reader_fingerprint(request, day=midnight.date() - timedelta(days=1))
        assert counting.earlier_fingerprint(request, midnight + timedelta(minutes=29)) == (
            yesterdays
        )
        assert counting.earlier_fingerprint(request, midnight + timedelta(minutes=30)) is None
        assert counting.earlier_fingerprint(request, midnight - timedelta(minutes=1)) is None

    def test_the_purge_keeps_yesterdays_salt_while_it_is_still_asked_for(self, settings):
        settings.NEWSROOM_VIEW_WINDOW_MINUTES = 30
        midnight = next_midnight()
        yesterday, today = midnight.date() - timedelta(days=1), midnight.date()
        counting.daily_salt(yesterday), counting.daily_salt(today)
        counting.purge_expired(now=midnight + timedelta(minutes=29))
        assert set(ReaderSalt.objects.values_list("day", flat=True)) == {yesterday, today}
        counting.purge_expired(now=midnight + timedelta(minutes=31))
        assert set(ReaderSalt.objects.values_list("day", flat=True)) == {today}


class TestReaderIdentity:
    def test_counting_needs_no_cookie(self, client, make_article):
        article = make_article()
        for _ in range(2):  # a fresh cookie jar each time, as a cookie-refusing browser
            client.cookies.clear()
            response = visit(client, article, HTTP_USER_AGENT=READER_UA)
            assert set(response.cookies) <= {"csrftoken"}  # the comment form's, nothing else
        assert shown_views(article) == 1

    def test_listing_pages_set_no_cookie_at_all(self, reader_client, make_article):
        article = make_article()
        assert not reader_client.get("/").cookies
        assert not reader_client.get(article.category.get_absolute_url()).cookies

    def test_nothing_identifying_is_stored(self, reader_client, make_article):
        visit(reader_client, make_article(), REMOTE_ADDR="198.51.100.7")
        mark = ReaderView.objects.get()
        assert "198.51.100.7" not in mark.reader and len(mark.reader) == 64

    def test_salt_rotates_daily(self):
        today = counting.timezone.localdate()
        assert counting.daily_salt(today) != counting.daily_salt(today + timedelta(days=1))

    def test_salt_is_shared_through_the_database(self):
        first = counting.daily_salt()
        counting._salt_cache.clear()  # as another worker process would start
        assert counting.daily_salt() == first

    def test_proxy_address_is_used_only_when_proxies_are_trusted(self, settings):
        request = RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
        )
        settings.NEWSROOM_TRUSTED_PROXIES = 0
        assert counting.client_address(request) == "10.0.0.1"
        settings.NEWSROOM_TRUSTED_PROXIES = 1
        assert counting.client_address(request) == "203.0.113.5"

    @pytest.mark.parametrize(
        ("address", "network"),
        [
            ("203.0.113.5", "203.0.113.5"),
            ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
            ("2001:DB8:1:2::ffff", "2001:db8:1:2::/64"),
            ("fe80::1%eth0", "fe80::/64"),
            ("::ffff:198.51.100.7", "198.51.100.7"),
            ("not-an-address", "not-an-address"),
            ("", ""),
        ],
    )
    def test_a_network_is_an_ipv4_address_or_an_ipv6_64(self, address, network):
        assert counting.network_of(address) == network

    def test_one_network_has_one_fingerprint_whatever_the_user_agent(self, db):
        factory = RequestFactory()
        first = factory.get("/", REMOTE_ADDR="2001:db8::1", HTTP_USER_AGENT="A")
        second = factory.get("/", REMOTE_ADDR="2001:db8::2", HTTP_USER_AGENT="B")
        other = factory.get("/", REMOTE_ADDR="2001:db8:0:1::1", HTTP_USER_AGENT="A")
        assert counting.network_fingerprint(first) == counting.network_fingerprint(second)
        assert counting.network_fingerprint(first) != counting.network_fingerprint(other)
        assert counting.reader_fingerprint(first) != counting.reader_fingerprint(second)
        assert "2001:db8" not in counting.network_fingerprint(first)


class TestStoreChoice:
    def test_the_database_unless_the_site_has_redis(self, settings):
        assert counting.store() is counting.database
        settings.NEWSROOM_VIEW_COUNTING = "redis"
        assert counting.store() is counting.redis_store

    def test_the_stores_do_not_import_the_rule(self):
        import ast
        import inspect

        for store in (counting.database, counting.redis_store):
            tree = ast.parse(inspect.getsource(store))
            imported = [
                node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            ]
            assert "articles.counting" not in imported
            assert all(not name.endswith("counting") for name in imported)
