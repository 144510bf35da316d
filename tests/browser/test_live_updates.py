"""Live updates and the thread's status region, as a reader meets them in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from comments.editing import apply_edit
from comments.models import Comment
from comments.moderation import decide
from tests.browser.test_reports_picks import violations
from tests.browser.test_thread_rough_edges import post_a_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A tab the test can hide and show again: visibilityState follows window.hiddenTab.
HIDEABLE_TAB = """
window.hiddenTab = %s;
Object.defineProperty(Document.prototype, "visibilityState", {
  configurable: true, get() { return window.hiddenTab ? "hidden" : "visible"; }
});
"""


@pytest.fixture(autouse=True)
def _quick_polls(settings, discussion_settings):
    settings.NEWSROOM_LIVE_POLL_SECONDS = 1
    discussion_settings(min_seconds_to_post=0)


@pytest.fixture
def article(make_article):
    return make_article(headline="Council approves housing plan")


def polls_of(page):
    """The live-update requests the page sends, as they happen."""
    sent = []
    page.on("request", lambda request: "/comments/live/" in request.url and sent.append(request))
    return sent


def status(page):
    return page.locator("#comment-status")


def test_news_still_waiting_is_read_out_once_not_at_every_poll(
    page, live_server, article, make_comment, editor
):
    held = make_comment(article=article, status=Comment.Status.PENDING, body="Approved late.")
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate(
        """() => {
          window.saidTimes = 0;
          new MutationObserver(() => window.saidTimes++).observe(
            document.getElementById("comment-status"),
            {childList: true, characterData: true, subtree: true});
        }"""
    )
    sent = polls_of(page)
    decide(Comment.objects.filter(pk=held.pk), Comment.Status.APPROVED, editor)
    expect(status(page)).to_have_text("1 new comment.", timeout=10_000)
    already = len(sent)
    for _ in range(50):  # two more polls answer with the same news
        if len(sent) >= already + 2:
            break
        page.wait_for_timeout(200)
    assert len(sent) >= already + 2
    page.wait_for_timeout(300)
    assert page.evaluate("window.saidTimes") == 1


def test_a_comment_approved_after_page_load_appears_after_the_next_poll(
    page, live_server, article, make_comment, editor
):
    make_comment(article=article, body="Already here.")
    held = make_comment(article=article, status=Comment.Status.PENDING, body="Approved late.")
    page.set_viewport_size({"width": 800, "height": 400})
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("link", name="Check for new comments")).to_be_hidden()
    reading = page.locator("#comment-list").get_by_text("Already here.")
    reading.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0  # the reader is down in the thread
    where = reading.bounding_box()["y"]

    decide(Comment.objects.filter(pk=held.pk), Comment.Status.APPROVED, editor)

    show = page.get_by_role("link", name="1 new comment — show")
    expect(show).to_be_visible(timeout=10_000)
    expect(status(page)).to_have_text("1 new comment.")
    expect(page.locator("#comment-list")).not_to_contain_text("Approved late.")
    # The page did not move: the comment being read is where it was.
    assert page.evaluate("window.scrollY") == scrolled
    assert reading.bounding_box()["y"] == where
    show.click()
    arrived = page.locator(f"#comment-{held.pk}")
    expect(arrived).to_contain_text("Approved late.")
    expect(arrived).to_be_focused()
    expect(page.locator("#comment-list > li").first).to_have_id(f"comment-{held.pk}")
    expect(page.locator("#comments-heading")).to_have_text("Comments (2)")
    expect(page.locator(f"#comment-{held.pk}")).to_have_count(1)


def test_most_recommended_puts_a_new_comment_after_the_recommended_ones(
    page, live_server, article, make_comment
):
    recommended = make_comment(article=article, body="Liked.", recommend_count=2)
    unrecommended = make_comment(article=article, body="Not yet liked.")
    page.goto(live_server.url + article.get_absolute_url() + "?csort=top")
    arrived = make_comment(article=article, body="Just posted.")

    page.get_by_role("link", name="1 new comment — show").click(timeout=10_000)

    expect(page.locator(f"#comment-{arrived.pk}")).to_be_focused()
    order = page.locator("#comment-list > li").evaluate_all("items => items.map(i => i.id)")
    assert order == [f"comment-{c.pk}" for c in (recommended, arrived, unrecommended)]


def test_a_comment_approved_late_goes_where_its_posting_time_puts_it(
    page, live_server, article, make_comment, editor
):
    held = make_comment(article=article, status=Comment.Status.PENDING, body="Written first.")
    later = make_comment(article=article, body="Written second.")
    page.goto(live_server.url + article.get_absolute_url())

    decide(Comment.objects.filter(pk=held.pk), Comment.Status.APPROVED, editor)
    page.get_by_role("link", name="1 new comment — show").click(timeout=10_000)

    expect(page.locator(f"#comment-{held.pk}")).to_be_focused()
    order = page.locator("#comment-list > li").evaluate_all("items => items.map(i => i.id)")
    assert order == [f"comment-{later.pk}", f"comment-{held.pk}"]  # newest first, as reloaded


def test_a_reply_that_arrives_goes_under_its_parent(page, live_server, article, make_comment):
    parent = make_comment(article=article, body="Where is the money from?")
    page.goto(live_server.url + article.get_absolute_url())
    reply = make_comment(parent=parent, body="From the housing fund.")
    page.get_by_role("link", name="1 new comment — show").click(timeout=10_000)
    expect(page.locator(f"#replies-{parent.pk} > #comment-{reply.pk}")).to_contain_text(
        "From the housing fund."
    )


def test_a_comment_removed_meanwhile_disappears(page, live_server, article, make_comment, editor):
    kept = make_comment(article=article, body="Stays.")
    removed = make_comment(article=article, body="Goes.")
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(f"#comment-{removed.pk}")).to_be_visible()

    decide(Comment.objects.filter(pk=removed.pk), Comment.Status.REJECTED, editor)

    expect(page.locator(f"#comment-{removed.pk}")).to_have_count(0, timeout=10_000)
    expect(page.locator(f"#comment-{kept.pk}")).to_be_visible()
    expect(page.locator("#comments-heading")).to_have_text("Comments (1)")


def test_a_comment_deleted_meanwhile_disappears_with_its_replies(
    page, live_server, article, make_comment
):
    kept = make_comment(article=article, body="Stays.")
    deleted = make_comment(article=article, body="Goes.")
    reply = make_comment(parent=deleted, body="Goes with it.")
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator(f"#comment-{reply.pk}")).to_be_visible()

    Comment.objects.get(pk=deleted.pk).delete()

    expect(page.locator(f"#comment-{deleted.pk}")).to_have_count(0, timeout=10_000)
    expect(page.locator(f"#comment-{reply.pk}")).to_have_count(0)
    expect(page.locator(f"#comment-{kept.pk}")).to_be_visible()
    expect(page.locator("#comments-heading")).to_have_text("Comments (1)")


def test_a_removed_comment_kept_for_its_reply_goes_when_the_reply_is_deleted(
    page, live_server, article, make_comment, editor
):
    parent = make_comment(article=article, body="Rejected later.")
    reply = make_comment(parent=parent, body="Deleted later.")
    page.goto(live_server.url + article.get_absolute_url())

    decide(Comment.objects.filter(pk=parent.pk), Comment.Status.REJECTED, editor)
    expect(page.locator(f"#comment-{parent.pk}")).to_contain_text(
        "This comment has been removed.", timeout=10_000
    )
    Comment.objects.get(pk=reply.pk).delete()

    expect(page.locator(f"#comment-{reply.pk}")).to_have_count(0, timeout=10_000)
    expect(page.locator(f"#comment-{parent.pk}")).to_have_count(0)


def test_none_in_a_hidden_tab(page, live_server, article, make_comment):
    make_comment(article=article)
    page.add_init_script(HIDEABLE_TAB % "true")
    sent = polls_of(page)
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_timeout(3_500)  # three intervals and more
    assert sent == []

    page.evaluate("window.hiddenTab = false; document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(2_500)
    assert len(sent) >= 2  # at once, and again each interval


def test_a_closed_thread_does_not_poll_and_checks_when_asked(
    page, live_server, make_article, make_comment
):
    article = make_article(comments_open=False)
    make_comment(article=article)
    sent = polls_of(page)
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_timeout(2_500)
    assert sent == []
    page.get_by_role("link", name="Check for new comments").click()
    expect(status(page)).to_have_text("No new comments.")
    assert len(sent) == 1


def test_a_failed_check_is_said_in_the_status_region(page, live_server, article, make_comment):
    make_comment(article=article)
    page.route(re.compile(r".*/comments/live/.*"), lambda route: route.abort())
    page.goto(live_server.url + article.get_absolute_url())
    expect(status(page)).to_have_text("Couldn't check for new comments.", timeout=10_000)


def test_after_posting_focus_is_on_the_new_comment_and_the_status_says_so(
    page, live_server, article
):
    page.goto(live_server.url + article.get_absolute_url())
    post_a_comment(page, "Good news for renters.")
    expect(status(page)).to_have_text("Your comment is published.")
    comment = Comment.objects.get()
    expect(page.locator(f"#comment-{comment.pk}")).to_be_focused()
    # Polls that follow do not announce the reader's own comment as news.
    page.wait_for_timeout(2_500)
    expect(status(page)).to_have_text("Your comment is published.")
    expect(page.get_by_role("link", name=re.compile("— show"))).to_have_count(0)


def test_a_held_comment_is_announced_with_its_reason(page, live_server, make_article):
    article = make_article(comment_moderation="pre")
    page.goto(live_server.url + article.get_absolute_url())
    post_a_comment(page, "Will this appear?", shown=False)
    expect(status(page)).to_have_text(
        "Your comment is awaiting review. Comments on this article are reviewed by a "
        "moderator before they appear."
    )


def test_the_status_region_survives_a_change_of_order(page, live_server, article, make_comment):
    make_comment(article=article)
    page.goto(live_server.url + article.get_absolute_url())
    page.evaluate("document.getElementById('comment-status').dataset.mark = 'same'")
    page.get_by_role("link", name="Oldest first").click()
    expect(page.locator("strong[aria-current]")).to_have_text("Oldest first")
    expect(status(page)).to_have_attribute("data-mark", "same")
    expect(page.locator("#comment-status")).to_have_count(1)


def test_axe_finds_no_violations_with_new_comments_announced(
    browser,
    live_server,
    article,
    make_comment,
    axe_script,
):
    make_comment(article=article)
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    make_comment(article=article, body="A new one.")
    expect(page.get_by_role("link", name="1 new comment — show")).to_be_visible(timeout=10_000)
    found = violations(page, axe_script)
    context.close()
    assert found == []


def test_an_edit_is_announced_as_an_edit_and_shown_in_place(
    page, live_server, article, make_comment
):
    edited = make_comment(article=article, body="The vote was 7 to 3.")
    reply = make_comment(parent=edited, body="Are you sure?")
    page.goto(live_server.url + article.get_absolute_url())

    apply_edit(Comment.objects.get(pk=edited.pk), "The vote was 7 to 2.")

    show = page.get_by_role("link", name="1 comment edited — show")
    expect(show).to_be_visible(timeout=10_000)
    expect(status(page)).to_have_text("1 comment edited.")
    show.click()
    shown = page.locator(f"#comment-list > #comment-{edited.pk}")
    expect(shown).to_contain_text("The vote was 7 to 2.")
    expect(shown).not_to_contain_text("7 to 3")
    expect(page.locator(f"#comment-{edited.pk}")).to_have_count(1)
    expect(page.locator(f"#replies-{edited.pk} > #comment-{reply.pk}")).to_be_visible()
    expect(page.locator("#comments-heading")).to_have_text("Comments (2)")
