"""A sanctioned reader in a real browser: told why, never silently refused, and
a warning acknowledged in the form itself, with htmx and with JavaScript off."""

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from comments import sanctions
from comments.models import Comment, Sanction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_typing_delay(discussion_settings):
    discussion_settings(min_seconds_to_post=0)


@pytest.fixture
def warned(make_article):
    """An article, and a warning on the network the browser posts from."""
    network = sanctions.network_key(RequestFactory().get("/"))
    warning = Sanction.objects.create(
        kind="warn", network=network, reason="off_topic", message="Please keep to the topic."
    )
    return make_article(headline="Council approves housing plan"), warning


def post_warned(page, live_server, article, javascript=True):
    page.goto(live_server.url + article.get_absolute_url() + "#comments")
    if not javascript:  # the form is a page away
        page.get_by_role("link", name="Write a comment").click()
    form = page.locator("form#comment-form")  # with htmx, once swapped in
    form.get_by_label("Name").fill("Jane Reader")
    form.get_by_label("Comment").fill("Back on topic, promise.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form")).to_contain_text("Please keep to the topic.")
    expect(page.locator("#comment-form").get_by_label("Comment")).to_have_value(
        "Back on topic, promise."
    )
    assert not Comment.objects.exists()
    return page.locator("#comment-form")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_a_warned_reader_acknowledges_in_the_form_and_their_comment_is_posted(
    browser, live_server, warned, javascript
):
    article, warning = warned
    page = browser.new_context(java_script_enabled=javascript).new_page()
    form = post_warned(page, live_server, article, javascript)
    form.get_by_label("I have read this message.").check()
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-list")).to_contain_text("Back on topic, promise.")
    warning.refresh_from_db()
    assert warning.acknowledged_at is not None


def test_the_warning_in_the_form_has_no_accessibility_violations(
    browser,
    live_server,
    warned,
    axe_script,
):
    article, _ = warned
    page = browser.new_context(bypass_csp=True).new_page()
    post_warned(page, live_server, article)
    page.add_script_tag(path=axe_script)
    violations = page.evaluate(
        """async () => (await axe.run('#comments')).violations.map(
            v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"""
    )
    assert violations == []
