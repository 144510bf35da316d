"""The shared article page (articles/page_cache.py): one render serves every
anonymous reader, and each still gets their own count, token and form."""

import json
import re
import time

import pytest
from django.core import signing
from django.test import Client

from articles import page_cache
from articles.page_cache import ISSUED_SALT
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db


def reader(n):
    return Client(HTTP_USER_AGENT=f"{READER_UA} reader-{n}")


def json_ld(html):
    return json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_later_readers_get_the_shared_page_with_their_own_count(
    make_article, django_assert_max_num_queries
):
    article = make_article(sources=["ESPN"])
    first = reader(1).get(article.get_absolute_url()).content.decode()
    assert "1 view" in first
    with django_assert_max_num_queries(4):  # counting only: mark, total, tally (+ BEGIN)
        second = reader(2).get(article.get_absolute_url()).content.decode()
    assert "2 views" in second and "1 view<" not in second
    assert json_ld(second)["interactionStatistic"][0]["userInteractionCount"] == 2


def test_no_hole_is_ever_left_in_a_page(make_article, make_comment):
    article = make_article()
    make_comment(article=article)
    for n in range(3):
        html = reader(n).get(article.get_absolute_url()).content.decode()
        assert "hole-" not in html


def test_each_reader_gets_a_working_csrf_token_and_a_fresh_form_timestamp(make_article):
    article = make_article()
    pages = []
    for n in range(2):
        client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=f"{READER_UA} {n}")
        html = client.get(article.get_absolute_url()).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        issued = re.search(r'name="issued" value="([^"]+)"', html).group(1)
        assert signing.loads(issued, salt=ISSUED_SALT) >= time.time() - 5  # issued now
        assert f'"X-CSRFToken": "{token}"' in html
        pages.append((client, token, issued))
    assert pages[0][1] != pages[1][1]
    client, token, _ = pages[1]
    response = client.post(
        f"{article.get_absolute_url()}comments/",
        {
            "author_name": "Ann",
            "body": "Hello",
            "issued": signing.dumps(1, salt=ISSUED_SALT),
            "csrfmiddlewaretoken": token,
            "website": "",
        },
    )
    assert response.status_code != 403  # the token from the shared page is accepted


@pytest.mark.parametrize(
    ("query", "shared"),
    [
        ("", True),
        ("?utm_source=newsletter&fbclid=abc", True),
        ("?cpage=2", False),
        ("?csort=oldest", False),
    ],
)
def test_which_requests_share_the_page(rf, query, shared):
    request = rf.get(f"/articles/a/{query}")
    assert page_cache.applies(request) is shared


def test_readers_with_a_session_get_their_own_render(rf, settings):
    request = rf.get("/articles/a/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    assert not page_cache.applies(request)
    assert not page_cache.applies(rf.post("/articles/a/"))


def test_an_edit_shows_at_once(make_article):
    article = make_article(headline="First version")
    reader(1).get(article.get_absolute_url())
    article.headline = "Corrected version"
    article.save()
    assert "Corrected version" in reader(2).get(article.get_absolute_url()).content.decode()


def test_a_new_comment_shows_at_once(make_article, make_comment):
    article = make_article()
    reader(1).get(article.get_absolute_url())
    make_comment(article=article, body="Brand new remark")
    assert "Brand new remark" in reader(2).get(article.get_absolute_url()).content.decode()


def test_a_logged_in_reader_gets_their_own_form(make_article, make_user):
    article = make_article()
    reader(1).get(article.get_absolute_url())
    client = reader(2)
    client.force_login(make_user())
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'name="author_name"' not in html


def test_a_page_stored_under_another_secret_key_is_never_filled(make_article):
    """The marks derive from the secret key: after a key rotation, pages stored
    with the old marks (the cache outlives the deploy) must not be served."""
    import importlib

    from django.test import override_settings

    article = make_article()
    reader(1).get(article.get_absolute_url())  # stored with this key's marks
    try:
        with override_settings(SECRET_KEY="a-rotated-secret-key-" + "k" * 40):
            importlib.reload(page_cache)
            response = reader(2).get(article.get_absolute_url())
            html = response.content.decode()
    finally:
        importlib.reload(page_cache)
    assert response.status_code == 200
    assert "hole-" not in html and "2 views" in html
