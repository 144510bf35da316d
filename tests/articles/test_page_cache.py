"""The shared article page (articles/page_cache.py): one render serves every
anonymous reader, and each still gets their own count, token and form."""

import json
import re
import time
from datetime import timedelta

import pytest
from django.contrib.messages.storage.base import Message
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from articles import form_tokens, page_cache
from tests.comments.helpers import THREAD_PAGE_QUERIES
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


def test_the_page_carries_no_readers_token_and_sets_no_cookie(make_article):
    article = make_article()
    response = reader(1).get(article.get_absolute_url())
    html = response.content.decode()
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in html and 'name="issued"' not in html
    assert "Cookie" not in response.get("Vary", "")


def test_the_form_comes_with_the_readers_own_token_and_issue_time(make_article):
    article = make_article()
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=READER_UA)
    html = client.get(article.get_absolute_url()).content.decode()
    form_url = f"/articles/{article.slug}/comments/new/"
    assert f'data-hx-get="{form_url}" data-hx-trigger="revealed"' in html
    fragment = client.get(form_url, HTTP_HX_REQUEST="true")
    assert "no-store" in fragment["Cache-Control"]
    form = fragment.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    issued = re.search(r'name="issued" value="([^"]+)"', form).group(1)
    form_token = form_tokens.read(issued)
    assert form_token.age() < 5 and form_token.article_id == article.pk  # issued now, here
    response = client.post(
        f"{article.get_absolute_url()}comments/",
        {
            "author_name": "Ann",
            "body": "Hello",
            "issued": signing.dumps(
                [article.pk, form_token.nonce, int(time.time()) - 60], salt=form_tokens.SALT
            ),
            "csrfmiddlewaretoken": token,
            "website": "",
        },
    )
    assert response.status_code == 302  # the token from the form is accepted


@pytest.mark.parametrize(
    ("query", "shared"),
    [
        ("", True),
        ("?utm_source=newsletter&fbclid=abc", True),
        ("?colour=blue&x=1", True),
        ("?nocache=8f3a1c", True),
        ("?cpage=1", True),
        ("?cpage=abc", True),
        ("?cpage=%C2%B2", True),
        ("?cpage=-2", True),
        ("?csort=newest", True),
        ("?csort=sideways", True),
        ("?cpage=2", False),
        ("?cpage=2&utm_source=x", False),
        ("?csort=oldest", False),
    ],
)
def test_which_requests_share_the_page(rf, query, shared):
    request = rf.get(f"/articles/a/{query}")
    assert page_cache.applies(request) is shared


def with_session(request, session_key):
    from django.contrib.sessions.backends.db import SessionStore

    request.COOKIES["sessionid"] = session_key
    request.session = SessionStore(session_key)
    return request


@pytest.mark.django_db
def test_readers_with_a_real_session_get_their_own_render(rf):
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = "1"
    session.save()
    assert not page_cache.applies(with_session(rf.get("/articles/a/"), session.session_key))
    assert not page_cache.applies(rf.post("/articles/a/"))


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", ["abc", "x" * 32, "0" * 40])
def test_a_bogus_session_cookie_is_treated_as_none(rf, cookie):
    assert page_cache.applies(with_session(rf.get("/articles/a/"), cookie))


@pytest.mark.django_db
def test_a_bogus_messages_cookie_is_treated_as_none_and_a_real_one_is_not(rf):
    from django.contrib.messages.storage.fallback import FallbackStorage

    bogus = with_session(rf.get("/articles/a/"), "x" * 32)
    bogus.COOKIES["messages"] = "made-up"
    bogus._messages = FallbackStorage(bogus)
    assert page_cache.applies(bogus)

    sender = with_session(rf.get("/"), "y" * 32)
    sender._messages = FallbackStorage(sender)
    real_cookie = sender._messages.storages[0]._encode([Message(25, "Your comment is posted.")])
    real = with_session(rf.get("/articles/a/"), "x" * 32)
    real.COOKIES["messages"] = real_cookie
    real._messages = FallbackStorage(real)
    assert not page_cache.applies(real)


@pytest.mark.django_db
def test_a_bogus_session_cookie_costs_one_session_lookup_not_a_render(make_article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = make_article()
    url = article.get_absolute_url()
    reader(1).get(url)  # renders the shared page and stores it
    bogus = reader(2)
    bogus.cookies["sessionid"] = "q" * 32
    with CaptureQueriesContext(connection) as with_bogus_cookie:
        page = bogus.get(url).content.decode()
    with CaptureQueriesContext(connection) as without:
        reader(3).get(url)
    assert article.headline in page
    assert len(with_bogus_cookie) == len(without) + 1  # the lookup that finds no session


@pytest.mark.django_db(transaction=True)
def test_an_edit_shows_at_once(make_article):
    article = make_article(headline="First version")
    reader(1).get(article.get_absolute_url())
    article.headline = "Corrected version"
    article.save()
    assert "Corrected version" in reader(2).get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
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


class TestSharedAndFreshRendersAgree:
    """The shared copy, filled, is byte for byte the page rendered for the reader."""

    VALUES = {"views": "1,234 views", "view_number": "1234"}

    @pytest.fixture
    def render_both(self, rf, monkeypatch):
        from django.contrib.auth.models import AnonymousUser
        from django_htmx.middleware import HtmxDetails

        from articles import caching, views

        real = page_cache.request_values
        monkeypatch.setattr(
            page_cache,
            "request_values",
            lambda request, article, with_thread=True: {
                **real(request, article, with_thread),
                **self.VALUES,
            },
        )

        def render(article):
            def request():
                made = rf.get(article.get_absolute_url(), HTTP_USER_AGENT=READER_UA)
                made.user, made.htmx = AnonymousUser(), HtmxDetails(made)
                return made

            shared_request = request()
            shared = page_cache.respond(
                shared_request,
                caching.cached_article(article.slug, shared_request),
                lambda **extra: views._article_context(
                    caching.cached_article(article.slug), **extra
                ),
            )
            fresh_request = request()
            fresh = views.render_article_page(
                fresh_request, caching.cached_article(article.slug, fresh_request)
            )
            return shared.content.decode(), fresh.content.decode()

        return render

    @pytest.fixture
    def hero(self, make_image):
        from tests.conftest import png_upload

        return make_image(file=png_upload(900, 500), alt_text="The stadium")

    def test_a_bare_article(self, make_article, render_both):
        shared, fresh = render_both(make_article())
        assert shared == fresh and "1,234 views" in shared and "hole-" not in shared

    def test_an_article_with_comments_and_replies(self, make_article, make_comment, render_both):
        article = make_article()
        top = make_comment(article=article, body="First!")
        make_comment(parent=top, body="A reply")
        from comments.threads import thread_changed

        thread_changed(article.pk)
        shared, fresh = render_both(article)
        assert shared == fresh and "A reply" in shared and "Comments (2)" in shared

    def test_an_article_with_a_hero_and_sources(self, make_article, render_both, hero):
        article = make_article(sources=["ESPN", ("UEFA.com", "https://uefa.com")])
        article.hero = hero
        article.save()
        shared, fresh = render_both(article)
        assert shared == fresh and "The stadium" in shared and "UEFA.com" in shared
        assert '"userInteractionCount": 1234' in shared

    def test_an_article_with_a_closed_thread(self, make_article, make_comment, render_both):
        article = make_article(comments_open=False)
        make_comment(article=article, body="Said before closing")
        shared, fresh = render_both(article)
        assert shared == fresh and "Comments on this article are closed." in shared


class TestBehindASharedCache:
    """NEWSROOM_CDN: the page is the same for everyone; its own request counts."""

    @pytest.fixture(autouse=True)
    def cdn(self, settings):
        settings.NEWSROOM_CDN = True

    def test_the_page_is_cacheable_by_shared_caches_and_sets_no_cookie(self, make_article):
        article = make_article()
        response = reader(1).get(article.get_absolute_url())
        assert response["Cache-Control"] == (
            "public, max-age=0, s-maxage=300, stale-while-revalidate=30"
        )
        assert response["Surrogate-Key"] == f"site article-{article.pk}"
        assert not response.cookies
        html = response.content.decode()
        assert "csrfmiddlewaretoken" not in html and 'name="issued"' not in html

    def test_shared_caches_keep_the_page_no_longer_than_until_the_story_expires(self, make_article):
        article = make_article(expires_at=timezone.now() + timedelta(seconds=40))
        cache_control = reader(1).get(article.get_absolute_url())["Cache-Control"]
        s_maxage = int(cache_control.split("s-maxage=")[1].split(",")[0])
        assert 0 < s_maxage <= 40

    def test_every_reader_gets_the_same_bytes(self, make_article):
        article = make_article()
        first = reader(1).get(article.get_absolute_url()).content
        assert reader(2).get(article.get_absolute_url()).content == first

    def test_the_page_itself_counts_nothing(self, make_article):
        article = make_article(view_count=7)
        reader(1).get(article.get_absolute_url())
        article.refresh_from_db()
        assert article.view_count == 7

    def test_the_page_asks_for_its_count_and_has_an_image_without_javascript(self, make_article):
        article = make_article()
        html = reader(1).get(article.get_absolute_url()).content.decode()
        viewed = f"/articles/{article.slug}/viewed/"
        assert f'data-hx-get="{viewed}" data-hx-trigger="load"' in html
        assert f'<noscript><img class="beacon" src="{viewed}"' in html

    def test_the_comment_form_comes_when_the_reader_reaches_it(self, make_article):
        article = make_article()
        html = reader(1).get(article.get_absolute_url()).content.decode()
        form_url = f"/articles/{article.slug}/comments/new/"
        assert f'data-hx-get="{form_url}" data-hx-trigger="revealed"' in html
        assert f'href="{form_url}"' in html  # without JavaScript, a page with the form

    def test_the_form_page_carries_the_readers_own_token_without_javascript(self, make_article):
        article = make_article()
        client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=READER_UA)
        response = client.get(f"/articles/{article.slug}/comments/new/")
        assert "no-store" in response["Cache-Control"]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
        assert token and client.cookies["csrftoken"].value
        fragment = client.get(f"/articles/{article.slug}/comments/new/", HTTP_HX_REQUEST="true")
        assert fragment.content.decode().lstrip().startswith("<form")

    def test_a_reader_who_is_shown_a_message_gets_a_private_page(self, make_article, rf):
        from django.contrib.messages.storage.cookie import CookieStorage

        article = make_article()
        client = reader(1)
        client.cookies["messages"] = CookieStorage(rf.get("/"))._encode(
            [Message(25, "Your comment has been posted.")]
        )
        response = client.get(article.get_absolute_url())
        assert "private" in response["Cache-Control"]
        assert "Your comment has been posted." in response.content.decode()

    def test_a_made_up_messages_cookie_still_gets_the_shared_page(self, make_article):
        article = make_article()
        client = reader(1)
        client.cookies["messages"] = "something"
        response = client.get(article.get_absolute_url())
        assert "public" in response["Cache-Control"]


# A counted view, committed: one statement on PostgreSQL; BEGIN, the address's
# tally, the mark, the increment, the hourly tally and COMMIT on SQLite
# (articles.counting.database).
COUNTING_QUERIES = 1 if connection.vendor == "postgresql" else 6


@pytest.mark.django_db(transaction=True)
class TestACommentRendersOnlyTheThreadAgain:
    def test_after_a_comment_the_next_reader_costs_the_thread_and_its_count_only(
        self, make_article, make_comment, django_assert_num_queries
    ):
        article = make_article(sources=["ESPN"])
        reader(1).get(article.get_absolute_url())
        make_comment(article=article, body="Fresh remark")
        # The comment count, the thread's page and its newest change (the
        # cursor of live updates), then the view counted; the article and the
        # rest of the page are reused.
        with django_assert_num_queries(2 + THREAD_PAGE_QUERIES + COUNTING_QUERIES):
            page = reader(2).get(article.get_absolute_url()).content.decode()
        assert "Fresh remark" in page and "Comments (1)" in page
        assert '"userInteractionCount": 1' in page  # the comment count in the JSON-LD
