"""View counting in a real browser, when a shared cache serves the page."""

import pytest
from playwright.sync_api import expect

from tests.conftest import READER_UA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _behind_a_shared_cache(settings):
    settings.NEWSROOM_CDN = True


@pytest.fixture
def browser_context_args(browser_context_args):
    """A reader's browser: headless Chromium names itself, and bots are not counted."""
    return {**browser_context_args, "user_agent": READER_UA}


def test_the_page_counts_its_visit_and_shows_the_fresh_count(page, live_server, make_article):
    article = make_article(view_count=787)
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(".article__views")).to_have_text("788 views")
    article.refresh_from_db()
    assert article.view_count == 788


def test_a_reload_by_the_same_reader_counts_once(page, live_server, make_article):
    article = make_article()
    for _ in range(2):
        page.goto(live_server.url + article.get_absolute_url())
        expect(page.locator(".article__views")).to_have_text("1 view")
    article.refresh_from_db()
    assert article.view_count == 1


def test_without_javascript_the_image_counts_the_visit(browser, live_server, make_article):
    article = make_article()
    context = browser.new_context(java_script_enabled=False, user_agent=READER_UA)
    page = context.new_page()
    with page.expect_response(lambda r: r.url.endswith("/viewed/")) as beacon:
        page.goto(live_server.url + article.get_absolute_url())
    assert beacon.value.status == 200
    context.close()
    article.refresh_from_db()
    assert article.view_count == 1
