"""The comment section in a real browser: with htmx, and with JavaScript off."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_typing_delay(discussion_settings):
    discussion_settings(min_seconds_to_post=0)


@pytest.fixture
def article(make_article):
    return make_article(headline="Council approves housing plan")


def open_article(page, live_server, article):
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("window.__sameDocument = true")


def still_same_document(page):
    return page.evaluate("window.__sameDocument === true")


def test_posting_adds_the_comment_without_a_reload(page, live_server, article):
    open_article(page, live_server, article)
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Jane Reader")
    form.get_by_label("Comment").fill("The flood defences matter most.")
    form.get_by_role("button", name="Post comment").click()

    expect(page.locator("#comment-list")).to_contain_text("The flood defences matter most.")
    expect(page.locator("#comments-heading")).to_have_text("Comments (1)")
    expect(page.locator("#comment-form")).to_contain_text("Your comment has been posted.")
    expect(page.locator("#comment-form").get_by_label("Comment")).to_have_value("")
    assert still_same_document(page)
    assert Comment.objects.get().body == "The flood defences matter most."


def test_a_validation_error_keeps_what_was_typed(page, live_server, article):
    open_article(page, live_server, article)
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("   ")
    form.get_by_label("Comment").fill("A long and careful argument.")
    form.get_by_role("button", name="Post comment").click()

    expect(page.locator("#comment-form")).to_contain_text("Please give a name to post under.")
    expect(page.locator("#comment-form").get_by_label("Comment")).to_have_value(
        "A long and careful argument."
    )
    assert still_same_document(page)
    assert not Comment.objects.exists()


def test_replying_inline(page, live_server, article, make_comment):
    parent = make_comment(article=article, author_name="Omar", body="What about the flood risk?")
    open_article(page, live_server, article)
    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()

    reply_form = page.locator(f"#reply-form-{parent.pk}")
    expect(reply_form).to_be_visible()
    reply_form.get_by_label("Name").fill("Priya")
    reply_form.get_by_label("Comment").fill("The defences are funded.")
    reply_form.get_by_role("button", name="Post reply").click()

    expect(page.locator(f"#replies-{parent.pk}")).to_contain_text("The defences are funded.")
    expect(page.locator(f"#comment-{parent.pk}")).to_contain_text("Your reply has been posted.")
    assert still_same_document(page)
    assert Comment.objects.get(parent=parent).author_name == "Priya"


def test_load_more_appends_in_place(page, live_server, article, make_comment, settings):
    settings.NEWSROOM_COMMENTS_PER_PAGE = 5
    for n in range(12):
        make_comment(article=article, body=f"Numbered comment {n}")
    open_article(page, live_server, article)
    top_level = page.locator("#comment-list > li")
    expect(top_level).to_have_count(5)
    page.get_by_role("link", name="Load more comments").click()
    expect(top_level).to_have_count(10)
    page.get_by_role("link", name="Load more comments").click()
    expect(top_level).to_have_count(12)
    expect(page.get_by_role("link", name="Load more comments")).to_have_count(0)
    assert still_same_document(page)


def test_reporting_a_comment(page, live_server, article, make_comment):
    comment = make_comment(article=article, body="Questionable remark")
    open_article(page, live_server, article)
    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Report").click()
    page.locator(f"#comment-{comment.pk}").get_by_role("radio", name="Off-topic").check()
    page.locator(f"#comment-{comment.pk}").get_by_role("button", name="Send report").click()
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Thank you for your report.")
    assert still_same_document(page)
    comment.refresh_from_db()
    assert comment.report_count == 1


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_without_javascript_a_comment_posts_and_lands_on_its_anchor(
    no_js_page, live_server, article
):
    page = no_js_page
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("link", name="Write a comment").click()  # the form, on its own page
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("No Script")
    form.get_by_label("Comment").fill("Works without JavaScript.")
    form.get_by_role("button", name="Post comment").click()

    comment = Comment.objects.get()
    page.wait_for_url(f"**{article.get_absolute_url()}#comment-{comment.pk}")
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("Works without JavaScript.")
    expect(page.locator(".messages")).to_contain_text("Your comment has been posted.")


def test_without_javascript_errors_keep_the_text(no_js_page, live_server, article):
    page = no_js_page
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("link", name="Write a comment").click()
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("   ")
    form.get_by_label("Comment").fill("Kept after the error.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form")).to_contain_text("Please give a name to post under.")
    expect(page.locator("#comment-form").get_by_label("Comment")).to_have_value(
        "Kept after the error."
    )


def test_without_javascript_reply_and_load_more_are_links(
    no_js_page, live_server, article, make_comment, settings
):
    settings.NEWSROOM_COMMENTS_PER_PAGE = 2
    parent = make_comment(article=article, author_name="Omar", body="First thought")
    for n in range(3):
        make_comment(article=article, body=f"Later comment {n}")
    page = no_js_page
    page.goto(live_server.url + article.get_absolute_url() + "?csort=oldest")
    page.get_by_role("link", name="Load more comments").click()
    expect(page.locator("#comment-list")).to_contain_text("Later comment 1")

    page.goto(live_server.url + article.get_absolute_url() + "?csort=oldest")
    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()
    expect(page.get_by_role("heading", name="Reply to Omar")).to_be_visible()
    form = page.locator(f"#reply-form-{parent.pk}")
    form.get_by_label("Name").fill("Priya")
    form.get_by_label("Comment").fill("A reply without scripts.")
    form.get_by_role("button", name="Post reply").click()
    reply = Comment.objects.get(parent=parent)
    page.wait_for_url(f"**#comment-{reply.pk}")
    expect(page.locator(f"#replies-{parent.pk}")).to_contain_text("A reply without scripts.")


def test_without_javascript_report_asks_to_confirm(no_js_page, live_server, article, make_comment):
    comment = make_comment(article=article, body="Questionable remark")
    page = no_js_page
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", name="Report this comment?")).to_be_visible()
    page.get_by_role("radio", name="Spam or advertising").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Report received")).to_be_visible()
    expect(page.locator(".report-receipt")).to_contain_text(comment.reports.get().reference)
    comment.refresh_from_db()
    assert comment.report_count == 1
