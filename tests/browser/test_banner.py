"""The breaking-news banner in Chromium: a labelled region above the content
on every page, that leaves on time by itself."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Banner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_banner_is_a_labelled_region_above_the_content_on_every_page(
    page, live_server, make_article
):
    article = make_article(headline="Election night results")
    Banner.objects.create(
        text="Polls have closed: follow the count",
        link=article.get_absolute_url(),
        starts_at=timezone.now() - timedelta(minutes=1),
    )
    for url in ("/", article.get_absolute_url(), article.category.get_absolute_url()):
        page.goto(live_server.url + url)
        banner = page.get_by_role("region", name="Breaking news")
        assert banner.is_visible()
        assert "Polls have closed" in banner.inner_text()
        banner_box, main_box = banner.bounding_box(), page.locator("main").bounding_box()
        assert banner_box["y"] + banner_box["height"] <= main_box["y"] + 1
    page.get_by_role("link", name="Polls have closed: follow the count").click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Election night results"


def test_the_banner_leaves_at_its_end_with_nothing_saved(page, live_server, make_article):
    make_article()
    Banner.objects.create(
        text="Road closed until four",
        level=Banner.Level.INFO,
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(seconds=4),
    )
    page.goto(live_server.url + "/")
    assert page.get_by_role("region", name="Notice").is_visible()
    time.sleep(5)
    page.reload()
    assert page.get_by_role("region", name="Notice").count() == 0
    assert page.locator("main").is_visible()
