"""Degrade, don't fail: a cache that fails is a miss, Redis counting that fails
counts in the database, a view that cannot be stored is recorded as lost, and a
comment is either saved and confirmed or not saved and its author asked to retry."""

import logging

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.db import OperationalError
from django.urls import reverse

from articles import counting
from articles.counting import redis_store
from comments.models import Comment
from tests.comments.helpers import comment_data
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}
NOBODY_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture
def reader(client):
    client.defaults["HTTP_USER_AGENT"] = READER_UA
    return client


@pytest.fixture
def file_cache(settings, tmp_path):
    """The site's file cache (the default without Redis), in a folder of its own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.GuardedFileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


@pytest.fixture
def full_disk(monkeypatch, file_cache):
    """The file cache's disk is full: every write fails with ENOSPC."""

    def write(self, file, value, expire):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileBasedCache, "_write_content", write)


@pytest.fixture
def erroring_cache(monkeypatch, file_cache):
    """Every read of the cache fails."""

    def read(self, *args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(FileBasedCache, "get", read)


def degraded_lines(caplog):
    return [r for r in caplog.records if r.name == "newsroom.degraded"]


class TestACacheThatFailsIsAMiss:
    def test_pages_are_served_when_the_cache_disk_is_full(self, reader, full_disk, make_article):
        article = make_article(headline="Floods reach the valley")
        for path in ("/", article.category.get_absolute_url(), article.get_absolute_url()):
            response = reader.get(path)
            assert response.status_code == 200, path
        assert "Floods reach the valley" in response.content.decode()

    def test_pages_are_served_when_cache_reads_fail(self, reader, erroring_cache, make_article):
        article = make_article(headline="Bridge reopens")
        response = reader.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Bridge reopens" in response.content.decode()

    def test_the_failure_is_logged_once_not_per_request(
        self, reader, full_disk, make_article, caplog
    ):
        article = make_article()
        with caplog.at_level(logging.WARNING, logger="newsroom.degraded"):
            for _ in range(5):
                assert reader.get(article.get_absolute_url()).status_code == 200
        lines = degraded_lines(caplog)
        assert len(lines) == 1
        assert "shared cache unavailable" in lines[0].getMessage()
        assert "No space left on device" in lines[0].getMessage()

    def test_a_dead_redis_cache_is_a_miss(self, reader, settings, make_article):
        settings.CACHES = {
            "default": {
                "BACKEND": "newsroom.cache.GuardedRedisCache",
                "LOCATION": NOBODY_LISTENS,
                "OPTIONS": settings.REDIS_CONNECTION_OPTIONS,
            }
        }
        article = make_article(headline="Council votes")
        response = reader.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Council votes" in response.content.decode()


class TestRedisCountingThatFailsCountsInTheDatabase:
    @pytest.fixture
    def dead_redis_counting(self, settings):
        settings.REDIS_URL = NOBODY_LISTENS
        settings.NEWSROOM_VIEW_COUNTING = "redis"
        redis_store._client = None
        yield
        redis_store._client = None

    def test_views_are_counted_in_the_database_while_redis_is_down(
        self, client, dead_redis_counting, make_article
    ):
        article = make_article()
        for reader in range(3):
            response = client.get(
                article.get_absolute_url(), HTTP_USER_AGENT=f"{READER_UA} reader/{reader}"
            )
            assert response.status_code == 200
        assert "3 views" in response.content.decode()
        article.refresh_from_db()
        assert article.view_count == 3
        assert counting.lost_views.total == 0


class TestAViewThatCannotBeStored:
    @pytest.fixture
    def unwritable_database(self, monkeypatch):
        def record(*args, **kwargs):
            raise OperationalError("database or disk is full")

        monkeypatch.setattr(counting.database, "record", record)

    def test_the_page_is_served_and_the_loss_is_logged_and_reported(
        self, reader, unwritable_database, make_article, caplog
    ):
        article = make_article(headline="Storm warning")
        with caplog.at_level(logging.WARNING, logger="newsroom.counting"):
            response = reader.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Storm warning" in response.content.decode()
        [line] = [r for r in caplog.records if r.name == "newsroom.counting"]
        assert f"View of article {article.pk} lost" in line.getMessage()
        assert "database or disk is full" in line.getMessage()
        assert reader.get("/health/").json()["views_lost"] == 1

    def test_a_visit_that_would_not_count_is_not_a_loss(
        self, client, unwritable_database, make_article
    ):
        article = make_article()
        response = client.get(article.get_absolute_url(), HTTP_USER_AGENT="Googlebot/2.1")
        assert response.status_code == 200
        assert counting.lost_views.total == 0


class TestACommentIsSavedWholeOrTheAuthorIsToldToRetry:
    @pytest.fixture
    def locked_database(self, monkeypatch):
        """The write after the comment's insert (the article's recount) fails."""

        def recount(articles):
            raise OperationalError("database is locked")

        monkeypatch.setattr("comments.threads.recount", recount)

    def test_plain_post_gets_503_with_the_text_kept_and_nothing_saved(
        self, reader, locked_database, make_article
    ):
        article = make_article()
        response = reader.post(
            reverse("comments:thread", args=[article.slug]),
            comment_data(article, body="My considered view"),
        )
        page = response.content.decode()
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "could not be saved just now" in page and "try again" in page
        assert "My considered view</textarea>" in page
        assert not Comment.objects.exists()

    def test_htmx_post_gets_503_with_the_form_and_text_kept(
        self, reader, locked_database, make_article
    ):
        article = make_article()
        response = reader.post(
            reverse("comments:thread", args=[article.slug]),
            comment_data(article, body="My considered view"),
            **HTMX,
        )
        page = response.content.decode()
        assert response.status_code == 503
        assert "<html" not in page and 'id="comment-form"' in page
        assert "could not be saved just now" in page
        assert "My considered view</textarea>" in page
        assert not Comment.objects.exists()

    def test_a_saved_comment_is_confirmed_though_cache_and_purge_fail(
        self, reader, full_disk, settings, make_article
    ):
        settings.NEWSROOM_PURGE_URLS = ["http://127.0.0.1:1"]
        article = make_article()
        response = reader.post(
            reverse("comments:thread", args=[article.slug]),
            comment_data(article, body="Saved anyway"),
        )
        comment = Comment.objects.get()
        assert response.status_code == 302
        assert response["Location"].endswith(f"#comment-{comment.pk}")
        page = reader.get(response["Location"]).content.decode()
        assert "Saved anyway" in page and "Your comment has been posted." in page


class TestAnUnreachableDatabaseIsA503:
    """Pages that need the database while it is unreachable tell the reader to
    come back: a 503 with a retry message, never a server error."""

    def test_a_page_that_needs_the_database_answers_503_with_retry_after(
        self, client, make_article, monkeypatch
    ):
        from django.db import OperationalError

        from articles import caching

        article = make_article()

        def unreachable(*args, **kwargs):
            raise OperationalError("connection to server at 127.0.0.1 failed: refused")

        monkeypatch.setattr(caching, "cached_article", unreachable)
        response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=READER_UA)
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "no-store" in response["Cache-Control"]
        assert "Please try again in a minute" in response.content.decode()

    def test_any_other_database_error_stays_a_server_error(self, client, make_article, monkeypatch):
        from django.db import IntegrityError

        from articles import caching

        article = make_article()

        def broken(*args, **kwargs):
            raise IntegrityError("a bug, not an outage")

        monkeypatch.setattr(caching, "cached_article", broken)
        client.raise_request_exception = False
        response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=READER_UA)
        assert response.status_code == 500
