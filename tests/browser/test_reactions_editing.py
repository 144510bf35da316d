"""Recommending and editing comments in a real browser: with htmx, and with
JavaScript off."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.test_comments import open_article, still_same_document
from tests.browser.test_thread_rough_edges import post_a_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def article(make_article, discussion_settings):
    discussion_settings(min_seconds_to_post=0)  # the browser posts at once
    return make_article(headline="Station quarter plans approved")


def test_the_recommend_button_is_pressed_and_counts_and_remembers_the_reader(
    page, live_server, article, make_comment
):
    comment = make_comment(article=article, author_name="Ana", body="Build near the station.")
    open_article(page, live_server, article)

    button = page.locator(f"#recommend-{comment.pk} button")
    expect(button).to_have_accessible_name("Recommend comment by Ana, 0 recommendations")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()

    button = page.locator(f"#recommend-{comment.pk} button")
    expect(button).to_have_accessible_name("Recommend comment by Ana, 1 recommendation")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert still_same_document(page)

    # The thread is shared: the reader's own pressed state comes in its own request.
    page.reload()
    button = page.locator(f"#recommend-{comment.pk} button")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_accessible_name("Recommend comment by Ana, 1 recommendation")

    button.click()
    expect(page.locator(f"#recommend-{comment.pk} button")).to_have_attribute(
        "aria-pressed", "false"
    )
    comment.refresh_from_db()
    assert comment.recommend_count == 0


def test_recommending_without_javascript_returns_to_the_comment(
    browser, live_server, article, make_comment
):
    comment = make_comment(article=article, author_name="Ana", body="Build near the station.")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())

    page.get_by_role("button", name="Recommend comment by Ana, 0 recommendations").click()
    page.get_by_role("button", name="Recommend comment by Ana, 0 recommendations").click()

    expect(page).to_have_url(f"{live_server.url}{article.get_absolute_url()}#comment-{comment.pk}")
    expect(page.locator("#messages")).to_contain_text("You recommend this comment.")
    expect(
        page.get_by_role("button", name="Recommend comment by Ana, 1 recommendation")
    ).to_be_visible()
    context.close()


def test_editing_inline_replaces_the_text_and_marks_it_edited(page, live_server, article):
    open_article(page, live_server, article)
    post_a_comment(page, "The plan has 400 homes.")
    comment = Comment.objects.get()

    edit = page.get_by_role("link", name="Edit your comment")
    expect(edit).to_be_visible()
    edit.click()
    field = page.get_by_label("Your comment")
    expect(field).to_be_focused()
    expect(field).to_have_value("The plan has 400 homes.")
    field.fill("The plan has 450 homes.")
    page.get_by_role("button", name="Save your edit").click()

    text = page.locator(f"#comment-{comment.pk}-text")
    expect(text).to_contain_text("The plan has 450 homes.")
    expect(text).to_contain_text("(edited)")
    assert still_same_document(page)
    comment.refresh_from_db()
    assert comment.body == "The plan has 450 homes."
    assert comment.edits.get().previous_body == "The plan has 400 homes."


def test_other_readers_see_no_edit_link(browser, page, live_server, article):
    open_article(page, live_server, article)
    post_a_comment(page, "The plan has 400 homes.")
    expect(page.get_by_role("link", name="Edit your comment")).to_be_visible()

    other = browser.new_context().new_page()
    other.goto(live_server.url + article.get_absolute_url())
    expect(other.locator("#comment-list")).to_contain_text("The plan has 400 homes.")
    other.wait_for_load_state("networkidle")
    expect(other.get_by_role("link", name="Edit your comment")).to_have_count(0)
    other.context.close()


def test_without_javascript_an_author_finds_the_edit_form_from_the_thread(
    browser, live_server, article
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("link", name="Write a comment").click()
    page.get_by_label("Name").fill("Jane Reader")
    page.get_by_role("textbox", name="Comment").fill("The plan has 400 homes.")
    page.get_by_role("button", name="Post comment").click()
    comment = Comment.objects.get()

    page.goto(live_server.url + article.get_absolute_url())  # the posted message is gone
    expect(page.locator(f"#edit-{comment.pk}")).to_be_hidden()
    page.get_by_role("link", name="Edit a comment you posted").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your comments you can still edit")
    page.get_by_role("link", name="Edit this comment").click()
    page.get_by_label("Your comment").fill("The plan has 450 homes.")
    page.get_by_role("button", name="Save your edit").click()

    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("The plan has 450 homes.")
    comment.refresh_from_db()
    assert comment.body == "The plan has 450 homes."
    context.close()
