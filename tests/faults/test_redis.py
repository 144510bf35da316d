"""Redis stopped or hung mid-run: readers still get pages, a comment posted during
the outage is saved and confirmed, and view counts are exact once it is back."""

import io
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles import counting
from comments.models import Comment
from tests.comments.helpers import comment_data
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db(transaction=True)


def visit(client, article, reader):
    """A distinct reader's visit; returns the response and how long it took."""
    started = time.monotonic()
    response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=f"{READER_UA} r/{reader}")
    return response, time.monotonic() - started


def flush():
    call_command("flush_view_counts", stdout=io.StringIO())


def stored_views(article):
    article.refresh_from_db()
    return article.view_count


def test_redis_killed_mid_run(client, site_on_throwaway_redis, make_article):
    redis = site_on_throwaway_redis
    article = make_article(headline="Power cut hits the city")
    for reader in range(5):
        response, _ = visit(client, article, reader)
        assert response.status_code == 200
    flush()
    assert stored_views(article) == 5

    redis.kill()
    for reader in range(5, 10):
        response, took = visit(client, article, reader)
        assert response.status_code == 200
        assert took < 1
    assert "Power cut hits the city" in response.content.decode()
    assert "10 views" in response.content.decode()
    for path in ("/", article.category.get_absolute_url(), "/search/?q=power"):
        assert client.get(path, HTTP_USER_AGENT=READER_UA).status_code == 200, path

    posted = client.post(
        reverse("comments:thread", args=[article.slug]),
        comment_data(article, body="Posted while the cache was down"),
        HTTP_USER_AGENT=READER_UA,
    )
    comment = Comment.objects.get()
    assert posted.status_code == 302
    assert posted["Location"].endswith(f"#comment-{comment.pk}")
    page = client.get(posted["Location"], HTTP_USER_AGENT=READER_UA).content.decode()
    assert "Posted while the cache was down" in page
    assert "Your comment has been posted." in page

    health = client.get("/health/")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["redis"] == "down"
    # Counted in the database meanwhile: five readers, and the commenter's visit.
    assert stored_views(article) == 11

    redis.start()  # empty again, on the same port
    time.sleep(0.3)  # the retry period
    for reader in range(10, 13):
        response, _ = visit(client, article, reader)
        assert response.status_code == 200
    assert stored_views(article) == 11  # buffered in Redis again
    flush()
    assert stored_views(article) == 14
    assert counting.lost_views.total == 0
    assert client.get("/health/").json()["status"] == "ok"


def test_a_hung_redis_costs_a_request_less_than_a_second(
    client, site_on_throwaway_redis, make_article
):
    redis = site_on_throwaway_redis
    article = make_article()
    response, _ = visit(client, article, 0)
    assert response.status_code == 200

    redis.hang()
    try:
        for reader in range(1, 4):
            response, took = visit(client, article, reader)
            assert response.status_code == 200
            assert took < 1
        started = time.monotonic()
        health = client.get("/health/")
        assert time.monotonic() - started < 1
        assert (health.status_code, health.json()["redis"]) == (200, "down")
    finally:
        redis.resume()

    time.sleep(0.3)
    flush()  # the view that reached Redis before it hung
    assert stored_views(article) == 4
    assert "5 views" in visit(client, article, 9)[0].content.decode()
