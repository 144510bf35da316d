"""Live coverage as a reader meets it in Chromium: new entries announced after
the next poll and brought in place, the end of the coverage, and axe."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from live.models import LiveEntry
from tests.browser.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _quick_polls(settings):
    settings.NEWSROOM_LIVE_POLL_SECONDS = 1


@pytest.fixture
def match(make_article):
    article = make_article(
        headline="Atalanta v Dortmund, live", live_status=Article.LiveStatus.LIVE
    )
    LiveEntry.objects.create(article=article, body="<p>Team news is in.</p>", pinned=True)
    LiveEntry.objects.create(
        article=article, body="<p>Lookman scores.</p>", key_event=True, key_event_label="Goal"
    )
    return article


def test_a_live_entry_posted_after_page_load_is_announced_after_the_next_poll(
    page, live_server, match
):
    page.goto(live_server.url + match.get_absolute_url())
    expect(page.get_by_role("link", name="Check for new updates")).to_be_hidden()

    LiveEntry.objects.create(article=match, body="<p>Red card for Dortmund.</p>")

    show = page.get_by_role("link", name="1 new update — show")
    expect(show).to_be_visible(timeout=10_000)
    expect(page.locator("#live-status")).to_have_text("1 new update.")
    expect(page.locator("#live-entries")).not_to_contain_text("Red card for Dortmund.")
    show.click()
    expect(page.locator("#live-entries > li").first).to_contain_text("Red card for Dortmund.")
    expect(page.locator("#live-entries > li")).to_have_count(2)
    expect(page.locator("#live-poll .live__check")).to_be_attached()  # polling on


def test_ended_coverage_is_announced_and_the_page_stops_asking(page, live_server, match):
    polls = []
    page.on("request", lambda request: "/live/" in request.url and polls.append(request))
    page.goto(live_server.url + match.get_absolute_url())
    match.live_status = Article.LiveStatus.ENDED
    match.save()
    expect(page.locator("#live-status")).to_have_text("Live coverage has ended.", timeout=10_000)
    asked = len([r for r in polls if "/articles/" in r.url and "/comments/" not in r.url])
    page.wait_for_timeout(2500)
    assert len([r for r in polls if "/articles/" in r.url and "/comments/" not in r.url]) == asked


def test_axe_finds_no_violations_on_a_live_page(
    browser,
    live_server,
    match,
    axe_script,
):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + match.get_absolute_url())
    found = axe_violations(page, axe_script)
    context.close()
    assert found == []
