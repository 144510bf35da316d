"""The comment thread's rough edges, as a reader meets them in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "W" * 80


@pytest.fixture(autouse=True)
def _no_typing_delay(discussion_settings):
    discussion_settings(min_seconds_to_post=0)


@pytest.fixture
def article(make_article):
    return make_article(headline="Council approves housing plan")


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    yield context.new_page()
    context.close()


def post_a_comment(page, body, shown=True):
    """Post a top-level comment with htmx and wait for it in the list (unless it
    is held for review)."""
    # The form comes when the reader reaches it, replacing its placeholder: scroll
    # to its heading, which stays, not to the placeholder, which goes.
    page.locator("#comment-form-title").evaluate("title => title.scrollIntoView()")
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Jane Reader")
    form.get_by_label("Comment").fill(body)
    form.get_by_role("button", name="Post comment").click()
    if shown:
        expect(page.locator("#comment-list")).to_contain_text(body)


def test_an_80_character_name_without_spaces_does_not_widen_a_phone_screen(
    phone_page, live_server, article, make_comment
):
    parent = make_comment(article=article, author_name=LONG_NAME, body="B" * 120)
    make_comment(article=article, parent=parent, author_name=LONG_NAME, body="A reply")
    phone_page.goto(live_server.url + article.get_absolute_url())
    expect(phone_page.locator(f"#comment-{parent.pk}")).to_contain_text(LONG_NAME)

    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375


def test_reply_moves_focus_into_the_opened_form(page, live_server, article, make_comment):
    parent = make_comment(article=article, author_name="Omar", body="What about the flood risk?")
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()

    expect(page.locator(f"#reply-form-{parent.pk} textarea")).to_be_focused()


def test_after_a_server_error_focus_goes_to_the_first_invalid_field_under_a_summary(
    page, live_server, article
):
    page.goto(live_server.url + article.get_absolute_url())
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("   ")
    form.get_by_label("Comment").fill("   ")
    form.get_by_role("button", name="Post comment").click()

    expect(form.get_by_label("Name")).to_be_focused()
    summary = form.locator(".error-summary")
    expect(summary.get_by_role("link", name="Please give a name to post under.")).to_have_attribute(
        "href", "#id_author_name"
    )
    expect(summary.get_by_role("link", name="Please write a comment.")).to_have_attribute(
        "href", "#id_body"
    )


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 600})
    yield context.new_page()
    context.close()


def test_without_javascript_a_too_quick_post_lands_on_the_form_and_its_error(
    no_js_page, live_server, article, discussion_settings, make_comment
):
    for n in range(8):
        make_comment(article=article, body=f"Comment number {n} " + "words " * 60)
    discussion_settings(min_seconds_to_post=60)
    no_js_page.goto(live_server.url + article.get_absolute_url())
    no_js_page.get_by_role("link", name="Write a comment").click()
    no_js_page.get_by_label("Name").fill("Quick Reader")
    no_js_page.get_by_role("textbox", name="Comment").fill("Fast thoughts.")
    no_js_page.get_by_role("button", name="Post comment").click()

    error = no_js_page.get_by_text("That was very quick")
    expect(error).to_be_in_viewport()
    expect(no_js_page.get_by_role("textbox", name="Comment")).to_have_value("Fast thoughts.")


def test_posting_in_a_thread_with_comments_finds_every_out_of_band_target(
    page, live_server, article, make_comment
):
    parent = make_comment(article=article, author_name="Omar", body="First point")
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate(
        "window.__oobMisses = 0;"
        "document.body.addEventListener('htmx:oobErrorNoTarget', () => window.__oobMisses++)"
    )
    post_a_comment(page, "A second point.")
    expect(page.locator("#comment-form")).to_contain_text("Your comment has been posted.")
    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").first.click()
    reply_form = page.locator(f"#reply-form-{parent.pk}")
    expect(reply_form.get_by_label("Comment")).to_be_focused()  # in place, not a new page
    reply_form.get_by_label("Name").fill("Priya")
    reply_form.get_by_label("Comment").fill("A reply.")
    reply_form.get_by_role("button", name="Post reply").click()
    expect(page.locator(f"#comment-{parent.pk}")).to_contain_text(
        "Your reply has been posted.", timeout=3000
    )
    expect(page.locator(f"#replies-{parent.pk}")).to_contain_text("A reply.")

    assert page.evaluate("window.__oobMisses") == 0


def test_a_skip_link_takes_a_keyboard_reader_past_45_comments_to_the_form(
    page, live_server, article, make_comment
):
    for n in range(45):
        make_comment(article=article, body=f"Comment {n}")
    page.goto(live_server.url + article.get_absolute_url())
    page.locator("#comments-heading").evaluate(
        "h => { h.tabIndex = -1; h.focus(); h.removeAttribute('tabindex'); }"
    )
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the two sort links: oldest, most recommended
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the comment form")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    assert page.evaluate("!!document.activeElement.closest('#comment-form')")


def test_without_javascript_the_awaiting_moderation_message_is_where_the_browser_lands(
    no_js_page, live_server, make_article, make_comment
):
    article = make_article(
        body="<p>A long report on the housing plan.</p>" * 80, comment_moderation="pre"
    )
    for n in range(20):
        make_comment(article=article, body=f"Comment {n}")
    no_js_page.goto(live_server.url + article.get_absolute_url() + "comments/new/")
    no_js_page.get_by_label("Name").fill("No Script")
    no_js_page.get_by_role("textbox", name="Comment").fill("Works without JavaScript.")
    no_js_page.get_by_role("button", name="Post comment").click()

    no_js_page.wait_for_url("**#messages")
    expect(no_js_page.get_by_text("Your comment is awaiting moderation.")).to_be_in_viewport()


def test_load_more_after_posting_oldest_first_repeats_no_comment_or_html_id(
    page, live_server, article, make_comment, settings
):
    settings.NEWSROOM_COMMENTS_PER_PAGE = 2
    for n in range(3):
        make_comment(article=article, body=f"Numbered comment {n}")
    page.goto(live_server.url + article.get_absolute_url() + "?csort=oldest")
    post_a_comment(page, "My own late comment.")
    page.get_by_role("link", name="Load more comments").click()
    expect(page.locator("#comment-list")).to_contain_text("Numbered comment 2")

    expect(page.locator("#comment-list > li")).to_have_count(4)
    assert page.evaluate(
        "(() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.length === new Set(ids).size; })()"
    )
