"""The moderation queue in Chromium: cleared by keyboard alone, accessible,
within the Content-Security-Policy, and usable without JavaScript."""

import pytest
from playwright.sync_api import expect

from comments import moderation
from comments.models import Comment, HoldReason, ModerationEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "/admin/comments/comment/queue/"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
}, true);
"""


@pytest.fixture
def queue_of_ten(make_article, make_comment):
    """Ten pending comments, oldest first, with reasons, a reply and reports."""
    article = make_article(headline="Council approves housing plan")
    parent = make_comment(article=article, author_name="Ines", body="The first word on it.")
    waiting = []
    for n in range(10):
        comment = make_comment(
            article=article,
            parent=parent if n % 3 == 0 else None,
            status=Comment.Status.PENDING,
            author_name=f"Reader {n}",
            body=f"Pending comment {n}: see https://example.org/{n} for more",
            network=f"net-{n}",
        )
        moderation.save_hold_reasons(comment, [(HoldReason.Code.LINKS, {"links": 1, "limit": 0})])
        waiting.append(comment)
    return waiting


@pytest.fixture
def open_queue(signed_in, live_server):
    """``open_queue(path, init_script=None, **context_options)``: a signed-in page
    at ``path`` (the queue by default)."""
    contexts = []

    def open_page(path=QUEUE, init_script=None, **options):
        context = signed_in(**options)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def focused_card(page):
    return page.evaluate("document.activeElement.closest('[data-queue-card]')?.id || null")


def test_a_moderator_clears_a_queue_of_ten_by_keyboard_alone(open_queue, queue_of_ten):
    page = open_queue()
    expect(page.locator(".queue-card:not(.queue-card--decided)")).to_have_count(10)

    page.keyboard.press("j")
    assert focused_card(page) == f"queue-card-{queue_of_ten[0].pk}"
    keys = "arsarsaras"
    for n, key in enumerate(keys):
        page.keyboard.press(key)
        expect(page.locator(".queue-card--decided")).to_have_count(n + 1)
        if n + 1 < len(keys):  # the next card takes focus
            expect(page.locator(f"#queue-card-{queue_of_ten[n + 1].pk}")).to_be_focused()
    expect(page.locator("#queue-clear")).to_be_focused()
    expect(page.locator("#queue-status")).to_contain_text("the comment by Reader 9")

    statuses = {"a": "approved", "r": "rejected", "s": "spam"}
    for comment, key in zip(queue_of_ten, keys, strict=True):
        comment.refresh_from_db()
        assert comment.status == statuses[key]
    assert not Comment.objects.pending().exists()
    assert ModerationEvent.objects.count() == 10

    page.reload()
    expect(page.get_by_text("No comment is waiting for a moderator.")).to_be_visible()


def test_a_queue_longer_than_a_page_is_cleared_by_keyboard_alone(open_queue, make_comment):
    waiting = [
        make_comment(status=Comment.Status.PENDING, author_name=f"Reader {n}", network=f"n{n}")
        for n in range(30)  # more than a page of the queue
    ]
    page = open_queue()
    for cards_on_the_page in (25, 5):
        expect(page.locator(".queue-card:not(.queue-card--decided)")).to_have_count(
            cards_on_the_page
        )
        page.keyboard.press("j")
        for n in range(cards_on_the_page):
            page.keyboard.press("a")
            expect(page.locator(".queue-card--decided")).to_have_count(n + 1)
        expect(page.locator("#queue-clear")).to_be_focused()
        with page.expect_navigation():
            page.keyboard.press("j")  # on to the next ones
    expect(page.get_by_text("No comment is waiting for a moderator.")).to_be_visible()
    assert Comment.objects.filter(pk__in=[c.pk for c in waiting], status="approved").count() == 30


def test_j_and_k_move_between_cards_with_a_visible_outline(open_queue, queue_of_ten):
    page = open_queue()
    for _ in range(3):
        page.keyboard.press("j")
    page.keyboard.press("k")
    assert focused_card(page) == f"queue-card-{queue_of_ten[1].pk}"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    assert page.locator(f"#queue-card-{queue_of_ten[1].pk}").is_visible()


def test_shortcuts_are_ignored_while_typing_in_a_note(open_queue, queue_of_ten):
    page = open_queue()
    note = page.locator(f"#queue-{queue_of_ten[0].pk}-explanation")
    note.focus()
    page.keyboard.type("a rare spark")
    expect(note).to_have_value("a rare spark")
    assert not Comment.objects.exclude(status="pending").exclude(author_name="Ines").exists()


def test_the_legend_shows_the_shortcuts_and_question_mark_toggles_it(open_queue, queue_of_ten):
    page = open_queue()
    legend = page.locator("#queue-keys")
    expect(legend).to_contain_text("approve")
    expect(legend.locator("dl")).to_be_visible()
    page.keyboard.press("?")
    expect(legend.locator("dl")).to_be_hidden()
    page.keyboard.press("?")
    expect(legend.locator("dl")).to_be_visible()


def test_an_error_shows_on_its_card_which_keeps_the_focus(open_queue, queue_of_ten):
    page = open_queue()
    first = queue_of_ten[0]
    page.select_option(f"#queue-{first.pk}-reason", "other")
    page.keyboard.press("j")
    page.keyboard.press("r")  # "Other" needs a note
    card = page.locator(f"#queue-card-{first.pk}")
    expect(card).to_contain_text("Say why in the note")
    expect(card).to_be_focused()
    first.refresh_from_db()
    assert first.status == "pending"


def test_ticking_all_on_the_page_and_approving_them_at_once(open_queue, queue_of_ten):
    page = open_queue()
    page.get_by_label("Tick every comment on this page").check()
    page.get_by_role("button", name="Approve ticked").click()
    expect(page.get_by_text("Approved: 10 comments.")).to_be_visible()
    assert not Comment.objects.pending().exists()


def test_without_javascript_a_decision_is_a_form_post_back_to_the_queue(open_queue, queue_of_ten):
    page = open_queue(java_script_enabled=False)
    card = page.locator(f"#queue-card-{queue_of_ten[0].pk}")
    card.get_by_role("button", name="Spam").click()
    expect(page.get_by_text("Marked as spam: the comment by Reader 0.")).to_be_visible()
    expect(page.locator(".queue-card")).to_have_count(9)
    queue_of_ten[0].refresh_from_db()
    assert queue_of_ten[0].status == "spam"


def test_the_queue_reports_no_content_security_policy_violation(open_queue, queue_of_ten):
    page = open_queue(init_script=RECORD_VIOLATIONS)
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(".queue-card--decided")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []


@pytest.mark.parametrize(
    "state", ["waiting", "after a decision", "with an error", "reported", "decided"]
)
def test_axe_finds_no_violations_on_the_queue(
    open_queue, queue_of_ten, discussion_settings, editor, state, axe_script
):
    discussion_settings(report_threshold=1)
    moderation.record_report(
        queue_of_ten[0].parent, "r1", "n1", reason="illegal", law="A law", explanation="Why"
    )
    moderation.decide(Comment.objects.filter(pk=queue_of_ten[1].pk), "rejected", editor, "abuse")
    path = {"reported": f"{QUEUE}?tab=reported", "decided": f"{QUEUE}?tab=decided"}
    page = open_queue(path.get(state, QUEUE), bypass_csp=True)
    if state == "after a decision":
        page.keyboard.press("j")
        page.keyboard.press("r")
        expect(page.locator(".queue-card--decided")).to_have_count(1)
    if state == "with an error":
        page.locator(".queue-card select").first.select_option("other")
        page.keyboard.press("j")
        page.keyboard.press("r")  # "Other" needs a note
        expect(page.locator(".queue-card--invalid")).to_have_count(1)
    page.add_script_tag(path=axe_script)
    violations = page.evaluate(
        """async () => (await axe.run()).violations.map(
            v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"""
    )
    assert violations == []


def test_the_comment_list_shows_status_reasons_and_reports_on_a_1280px_screen(
    open_queue, queue_of_ten, make_article
):
    for n in range(30):  # many articles: the filter is a search box, not their list
        make_article(headline=f"A long headline about story number {n} in the news today")
    page = open_queue("/admin/comments/comment/", viewport={"width": 1280, "height": 800})
    for column in ("status", "held_for", "reports", "age"):
        box = page.locator(f"th.column-{column}").bounding_box()
        assert box and box["x"] + box["width"] <= 1280, f"{column} is off screen"
    expect(page.get_by_label("Headline words or slug")).to_be_visible()
    expect(page.get_by_role("link", name="Moderation queue")).to_be_visible()
