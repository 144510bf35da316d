"""The counting request a page served from a shared cache makes (articles:viewed)."""

import pytest
from django.urls import reverse

from tests.conftest import READER_UA, days_ahead

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def viewed(article):
    return reverse("articles:viewed", args=[article.slug])


def count(article):
    article.refresh_from_db()
    return article.view_count


def test_an_htmx_request_counts_the_visit_and_answers_the_count(client, make_article):
    article = make_article(view_count=787)
    response = client.get(viewed(article), HTTP_USER_AGENT=READER_UA, **HTMX)
    assert response.status_code == 200
    assert response.content.decode() == "788 views"
    assert count(article) == 788


def test_the_same_reader_again_within_the_window_counts_once(client, make_article):
    article = make_article()
    for _ in range(3):
        client.get(viewed(article), HTTP_USER_AGENT=READER_UA, **HTMX)
    assert count(article) == 1


def test_an_image_request_counts_a_reader_without_javascript(client, make_article):
    article = make_article()
    response = client.get(viewed(article), HTTP_USER_AGENT=READER_UA)
    assert response["Content-Type"] == "image/gif" and response.content.startswith(b"GIF89a")
    assert count(article) == 1


def test_it_is_never_stored_on_the_way(client, make_article):
    response = client.get(viewed(make_article()), HTTP_USER_AGENT=READER_UA, **HTMX)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_it_sets_no_cookie(client, make_article):
    response = client.get(viewed(make_article()), HTTP_USER_AGENT=READER_UA, **HTMX)
    assert not response.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_USER_AGENT": "Googlebot/2.1 (+http://www.google.com/bot.html)"},
        {"HTTP_USER_AGENT": READER_UA, "HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_USER_AGENT": READER_UA, "HTTP_PURPOSE": "prefetch"},
        {"HTTP_USER_AGENT": ""},
    ],
    ids=["bot", "sec-purpose-prefetch", "purpose-prefetch", "no-user-agent"],
)
def test_bots_and_prefetches_count_nothing(client, make_article, headers):
    article = make_article(view_count=5)
    response = client.get(viewed(article), **headers, **HTMX)
    assert response.status_code == 200 and response.content.decode() == "5 views"
    assert count(article) == 5


def test_a_head_request_counts_nothing(client, make_article):
    article = make_article()
    client.head(viewed(article), HTTP_USER_AGENT=READER_UA, **HTMX)
    assert count(article) == 0


@pytest.mark.parametrize(
    "state",
    [{"status": "draft"}, {"published_at": days_ahead(1)}],
    ids=["draft", "scheduled"],
)
def test_an_unpublished_article_is_a_404_and_counts_nothing(client, make_article, state):
    article = make_article(**state)
    response = client.get(viewed(article), HTTP_USER_AGENT=READER_UA, **HTMX)
    assert response.status_code == 404
    assert count(article) == 0


def test_a_missing_article_is_a_404(client):
    response = client.get("/articles/no-such-story/viewed/", HTTP_USER_AGENT=READER_UA, **HTMX)
    assert response.status_code == 404


def test_an_editor_is_not_counted(client, editor, make_article):
    article = make_article()
    client.force_login(editor)
    client.get(viewed(article), HTTP_USER_AGENT=READER_UA, **HTMX)
    assert count(article) == 0


class TestAnsweredBeforeTheRestOfTheStack:
    """The early answer (articles.middleware) is the view's own answer."""

    def test_it_answers_as_the_view_does_without_session_csrf_or_policy_work(
        self, client, make_article, monkeypatch
    ):
        from django.contrib.sessions.middleware import SessionMiddleware

        article = make_article(view_count=41)
        monkeypatch.setattr(
            SessionMiddleware,
            "process_request",
            lambda *a: pytest.fail("the session middleware ran"),
        )
        response = client.get(viewed(article), HTTP_USER_AGENT=READER_UA, **HTMX)
        assert response.status_code == 200 and response.content.decode() == "42 views"
        assert "no-store" in response["Cache-Control"]
        assert not response.cookies
        assert count(article) == 42

    def test_an_editor_with_a_session_goes_the_ordinary_way_and_is_not_counted(
        self, client, editor, make_article
    ):
        article = make_article()
        client.force_login(editor)
        response = client.get(viewed(article), HTTP_USER_AGENT=READER_UA, **HTMX)
        assert response.status_code == 200
        assert count(article) == 0

    def test_a_missing_article_is_still_a_404_page(self, client):
        response = client.get("/articles/no-such-story/viewed/", HTTP_USER_AGENT=READER_UA)
        assert response.status_code == 404
        assert "not found" in response.content.decode().lower()
