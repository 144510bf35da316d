"""Listings kept whole (articles/page_cache.py ``listing``): the home page and
the pages of a section, a contributor and a topic are the same for every reader,
so each is rendered once per site version and then served as it was kept."""

import pytest
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client

from articles import caching
from articles.models import Contributor, Topic
from tests.conftest import READER_UA, days_ahead

pytestmark = pytest.mark.django_db


def reader():
    return Client(HTTP_USER_AGENT=READER_UA)


@pytest.fixture
def listings(make_article, make_category):
    """The four kinds of listing, each with stories on it."""
    sport = make_category(name="Sport", slug="sport")
    topic = Topic.objects.create(name="Housing", slug="housing")
    for n in range(3):
        article = make_article(headline=f"Story number {n}", category=sport)
        article.topics.add(topic)
    contributor = Contributor.objects.get(name="Ada Reporter")
    return {
        "home": "/",
        "category": sport.get_absolute_url(),
        "author": contributor.get_absolute_url(),
        "topic": topic.get_absolute_url(),
    }


@pytest.mark.parametrize("kind", ["home", "category", "author", "topic"])
def test_a_warm_listing_is_served_as_kept_without_rendering_a_template(
    listings, kind, django_assert_num_queries
):
    url = listings[kind]
    first = reader().get(url)
    assert first.templates  # the first reader's request renders it

    with django_assert_num_queries(0):
        again = reader().get(url)
    assert again.templates == []
    assert again.content == first.content
    assert again["Cache-Control"] == first["Cache-Control"]
    assert "public" in again["Cache-Control"] and again["Surrogate-Key"] == "site"


@pytest.mark.parametrize("kind", ["home", "category", "author", "topic"])
def test_the_kept_listing_is_byte_for_byte_the_page_rendered_for_a_signed_in_reader(
    listings, kind, make_user
):
    url = listings[kind]
    reader().get(url)  # kept
    kept = reader().get(url)
    signed_in = Client(HTTP_USER_AGENT=READER_UA)
    signed_in.force_login(make_user())
    rendered = signed_in.get(url)

    assert kept.templates == [] and rendered.templates  # one kept, one rendered
    assert rendered.content == kept.content


def test_a_later_page_of_a_listing_is_kept_apart_from_the_first(
    make_article, make_category, settings
):
    settings.NEWSROOM_ARTICLES_PER_PAGE = 2
    sport = make_category(name="Sport", slug="sport")
    for n in range(3):
        make_article(headline=f"Story number {n}", category=sport)
    url = sport.get_absolute_url()
    first, second = reader().get(url), reader().get(url + "?page=2")
    assert reader().get(url).content == first.content
    assert reader().get(url + "?page=2").content == second.content
    assert first.content != second.content
    assert "Story number 0" in second.content.decode()


def test_odd_parameters_get_the_kept_listing_and_keep_nothing_new(listings, cache_writes):
    url = listings["category"]
    kept = reader().get(url)
    cache_writes.clear()
    for query in ("?utm_source=x", "?page=1", "?colour=blue&colour=red", "?fbclid=1"):
        response = reader().get(url + query)
        assert response.templates == []
        assert response.content == kept.content
    assert cache_writes == []


def test_a_reader_shown_a_message_gets_it_and_nobody_else_ever_does(listings, rf):
    url = listings["home"]
    reader().get(url)  # kept
    told = reader()
    told.cookies["messages"] = CookieStorage(rf.get("/"))._encode(
        [Message(25, "Your comment has been posted.")]
    )
    response = told.get(url)
    assert "Your comment has been posted." in response.content.decode()
    assert "private" in response["Cache-Control"]

    later = reader().get(url)
    assert later.templates == []
    assert "Your comment has been posted." not in later.content.decode()


def test_an_edit_shows_on_the_kept_listing_at_once(
    listings, make_article, django_capture_on_commit_callbacks
):
    reader().get(listings["home"])
    with django_capture_on_commit_callbacks(execute=True):
        make_article(headline="Breaking: the new story")
    assert "Breaking: the new story" in reader().get(listings["home"]).content.decode()


def test_a_scheduled_story_appears_on_the_kept_listing_when_its_time_comes(
    listings, make_article, monkeypatch
):
    make_article(headline="The embargoed story", published_at=days_ahead(1))
    assert "The embargoed story" not in reader().get("/").content.decode()
    assert reader().get("/").templates == []  # kept, until the go-live

    later = days_ahead(2)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    assert "The embargoed story" in reader().get("/").content.decode()


def test_a_listing_is_kept_under_the_site_version(listings):
    reader().get(listings["home"])
    (site,) = caching.versions([caching.SITE])
    assert f"fragment:{site}:home-page" in caching.local_entries.entries


def test_only_a_complete_page_is_kept(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django_htmx.middleware import HtmxDetails

    from articles import page_cache

    def request():
        made = rf.get("/", HTTP_USER_AGENT=READER_UA)
        made.user, made.htmx = AnonymousUser(), HtmxDetails(made)
        return made

    unavailable = page_cache.listing(
        request(), "home", [], lambda: HttpResponse("Back in a moment", status=503)
    )
    fine = page_cache.listing(request(), "home", [], lambda: HttpResponse("The front page"))

    assert unavailable.status_code == 503
    assert (fine.status_code, fine.content) == (200, b"The front page")
