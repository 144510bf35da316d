"""Chromium reports no Content-Security-Policy violation anywhere on the site.

An init script records every ``securitypolicyviolation`` event before the page's
own scripts run; each test drives a page as a reader or an editor would and then
asserts the list is empty. The first test shows the recorder and the policy at
work: an inline script is blocked and reported.
"""

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
}, true);
"""


@pytest.fixture(autouse=True)
def _no_typing_delay(discussion_settings):
    discussion_settings(min_seconds_to_post=0)


@pytest.fixture
def watched(browser):
    """A page whose CSP violations are recorded; ``violations()`` reads them."""
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


def violations(page):
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def article(make_article, make_comment, settings):
    settings.NEWSROOM_COMMENTS_PER_PAGE = 2
    article = make_article(
        headline="Council approves housing plan",
        body="<p>The vote was close.</p><h2>What next</h2><p>Building starts in spring.</p>",
        sources=[("City council minutes", "https://example.org/minutes")],
    )
    for n in range(4):
        make_comment(article=article, author_name=f"Reader {n}", body=f"Early comment {n}")
    return article


def test_an_inline_script_is_blocked_and_reported(watched, live_server, article):
    watched.goto(live_server.url + article.get_absolute_url())

    watched.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true;";
          document.head.append(script);
        }"""
    )

    assert watched.evaluate("window.__inlineRan") is None
    assert any(v.startswith("script-src-elem blocked inline") for v in violations(watched))


@pytest.mark.parametrize(
    "path",
    ["/", "category", "/search/?q=housing", "/search/", "/articles/no-such-story/", "form"],
)
def test_reading_a_page_reports_no_violation(watched, live_server, article, path):
    path = {
        "category": article.category.get_absolute_url(),
        "form": f"{article.get_absolute_url()}comments/new/",
    }.get(path, path)

    response = watched.goto(live_server.url + path)

    assert response.status in (200, 404)
    assert watched.locator("h1").count() == 1
    assert violations(watched) == []


def test_an_article_page_with_its_json_ld_reports_no_violation(watched, live_server, article):
    watched.goto(live_server.url + article.get_absolute_url())

    assert watched.locator('script[type="application/ld+json"]').count() == 1
    expect(watched.get_by_role("heading", name="Council approves housing plan")).to_be_visible()
    assert violations(watched) == []


def test_commenting_replying_and_loading_more_with_htmx_report_no_violation(
    watched, live_server, article
):
    watched.goto(live_server.url + article.get_absolute_url())
    watched.evaluate("window.__sameDocument = true")

    form = watched.locator("#comment-form")
    form.scroll_into_view_if_needed()  # htmx brings the form in when it is revealed
    form.get_by_label("Name").fill("Jane Reader")
    form.get_by_label("Comment").fill("The flood defences matter most.")
    form.get_by_role("button", name="Post comment").click()
    expect(watched.locator("#comment-list")).to_contain_text("The flood defences matter most.")

    first = watched.locator("#comment-list > li").first
    first.get_by_role("link", name="Reply").click()
    expect(watched.locator("[id^=reply-form-]").first).to_be_visible()

    watched.get_by_role("link", name="Load more comments").click()
    expect(watched.locator("#comment-list")).to_contain_text("Early comment")

    assert watched.evaluate("window.__sameDocument === true")
    assert Comment.objects.filter(author_name="Jane Reader").exists()
    assert violations(watched) == []


def test_editing_an_article_in_the_admin_with_the_prose_editor_reports_no_violation(
    watched, live_server, article, editor
):
    watched.goto(f"{live_server.url}/admin/login/?next=/admin/")
    watched.get_by_label("Username").fill(editor.username)
    watched.get_by_label("Password").fill(editor.raw_password)
    watched.get_by_role("button", name="Log in").click()
    expect(watched.get_by_role("heading", name="Desk")).to_be_visible()
    assert violations(watched) == []

    watched.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    body = watched.locator('.ProseMirror[contenteditable="true"]')
    expect(body).to_contain_text("The vote was close.")
    body.click()
    watched.keyboard.press("End")
    watched.keyboard.type(" Typed in the editor.")
    expect(body).to_contain_text("Typed in the editor.")
    assert violations(watched) == []

    watched.get_by_role("button", name="Save", exact=True).first.click()
    expect(watched.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert "Typed in the editor." in article.body
    assert violations(watched) == []
