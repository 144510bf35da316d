"""Reporting a comment in place and the picks above the thread, in a real
browser, with axe finding nothing wrong with either (test_comments.py reports
a comment with JavaScript off)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment, CommentReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def thread(make_article, make_comment, make_user):
    author = make_user(username="ada", first_name="Ada", last_name="Reporter")
    article = make_article(headline="Council approves housing plan", author=author)
    make_comment(article=article, author_name="Sam", body="You are all idiots.")
    picked = make_comment(article=article, author_name="Priya", body="The flood maps matter.")
    Comment.objects.filter(pk=picked.pk).update(picked_at=timezone.now())
    make_comment(article=article, user=author, body="Thanks, we will follow up.")
    return article


def violations(page, axe_script):
    page.add_script_tag(path=axe_script)
    return page.evaluate(
        """async () => (await axe.run()).violations.map(
            v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"""
    )


def test_an_illegal_content_notice_in_place_with_errors_then_a_receipt(
    browser,
    live_server,
    thread,
    axe_script,
):
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.goto(live_server.url + thread.get_absolute_url())
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Report comment by Sam").click()
    form = page.locator("form.report-form")
    expect(form).to_be_visible()
    notice = form.locator(".report-form__notice")
    expect(notice).to_be_hidden()  # until "Illegal content" is chosen
    assert violations(page, axe_script) == []

    form.get_by_role("radio", name="Illegal content").check()
    expect(notice).to_be_visible()
    form.get_by_label("Which law").fill("Incitement to hatred")
    form.get_by_role("button", name="Send report").click()
    form = page.locator("form.report-form")
    expect(form).to_contain_text("Please explain why the comment is illegal")
    expect(form.get_by_label("Which law")).to_have_value("Incitement to hatred")
    assert violations(page, axe_script) == []

    form.get_by_label("Why is it illegal?").fill("It insults everyone who lives here.")
    form.get_by_label("I confirm, in good faith").check()
    form.get_by_role("button", name="Send report").click()
    receipt = page.locator(".report-receipt")
    expect(receipt).to_contain_text("What happens next")
    expect(receipt).to_contain_text(CommentReport.objects.get().reference)
    assert page.evaluate("window.__sameDocument === true")
    assert violations(page, axe_script) == []
    context.close()


def test_a_report_sent_after_another_form_set_a_new_csrf_cookie_is_accepted(
    browser, live_server, thread
):
    """A new reader's page loads two forms at once (the comment form and a report
    form); each sets its own CSRF cookie, and the last one wins."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + thread.get_absolute_url())
    page.get_by_role("link", name="Report comment by Sam").click()
    form = page.locator("form.report-form")
    expect(form).to_be_visible()
    context.clear_cookies()  # the other form's answer arrives last, with a new cookie
    form_url = f"{live_server.url}/articles/{thread.slug}/comments/new/"
    page.evaluate("url => fetch(url, {credentials: 'same-origin'})", form_url)
    assert any(cookie["name"] == "csrftoken" for cookie in context.cookies())
    form.get_by_role("radio", name="Spam or advertising").check()
    form.get_by_role("button", name="Send report").click()
    expect(page.locator(".report-receipt")).to_contain_text("What happens next")
    assert CommentReport.objects.count() == 1
    context.close()


def test_picks_and_badges_on_the_article_page(browser, live_server, thread, axe_script):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + thread.get_absolute_url())
    picks = page.get_by_role("complementary", name="Picked by the newsroom")
    expect(picks).to_contain_text("The flood maps matter.")
    picks.get_by_role("link", name="Read it in the thread").click()
    assert page.url.endswith("#comment-" + str(Comment.objects.get(author_name="Priya").pk))
    # Badges are part of the comment's name, as words.
    priya = re.compile(r"^Priya\s*, Picked by the newsroom$")
    expect(page.get_by_role("article", name=priya)).to_be_visible()
    expect(
        page.get_by_role("article", name=re.compile(r"^Ada Reporter\s*, Author$"))
    ).to_be_visible()
    assert violations(page, axe_script) == []
    context.close()
