"""Asking for comment notifications in a real browser: ticking the box when
commenting, following a discussion in place (htmx) and without JavaScript, and
the unsubscribe page's button."""

import pytest
from playwright.sync_api import expect

from comments import notifications
from comments.models import Subscription, VerifiedEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_typing_delay(discussion_settings):
    discussion_settings(min_seconds_to_post=0)


@pytest.fixture
def article(make_article):
    return make_article(headline="Council approves housing plan")


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_ticking_the_box_subscribes_to_replies(page, live_server, article):
    VerifiedEmail.objects.create(email="jane@example.com")
    page.goto(live_server.url + article.get_absolute_url())
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Jane Reader")
    form.get_by_label("Email (optional, never shown)").fill("jane@example.com")
    form.get_by_label("Comment").fill("Tell me what you think.")
    form.get_by_label("Email me when someone replies").check()
    form.get_by_role("button", name="Post comment").click()

    expect(page.locator("#comment-form")).to_contain_text("Your comment has been posted.")
    [subscription] = Subscription.objects.active()
    assert (subscription.email, subscription.kind) == ("jane@example.com", "replies")


def test_following_in_place_focuses_the_address_and_answers_there(page, live_server, article):
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Follow this discussion").click()
    address = page.locator("#follow").get_by_label("Your email address")
    expect(address).to_be_focused()
    address.fill("fay@example.com")
    page.locator("#follow").get_by_role("button", name="Follow this discussion").click()

    expect(page.locator("#follow [role=status]")).to_contain_text("Check your inbox")
    assert page.evaluate("window.__sameDocument === true")
    assert Subscription.objects.get().email == "fay@example.com"


def test_without_javascript_following_is_a_page_of_its_own(no_js_page, live_server, article):
    page = no_js_page
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("link", name="Follow this discussion").click()
    page.get_by_label("Your email address").fill("fay@example.com")
    page.get_by_role("button", name="Follow this discussion").click()

    page.wait_for_url(f"**{article.get_absolute_url()}#messages")
    expect(page.locator(".messages")).to_contain_text("Check your inbox")
    assert Subscription.objects.get().email == "fay@example.com"


def test_the_unsubscribe_page_asks_then_stops_the_emails(page, live_server, article):
    followed = Subscription.objects.create(
        email="fay@example.com",
        kind="all",
        origin="follow",
        article=article,
        confirmed_at=article.published_at,
    )
    link = notifications.unsubscribe_link("fay@example.com", [followed.pk])
    page.goto(link.replace("http://testserver", live_server.url))
    expect(page.get_by_text("new comments on “Council approves housing plan”")).to_be_visible()
    assert Subscription.objects.active().exists()
    page.get_by_role("button", name="Stop emails about this discussion").click()

    expect(page.get_by_role("status")).to_contain_text("no more emails about this discussion")
    assert not Subscription.objects.active().exists()
