"""No lost work on the editors' desk, in Chromium: the conflict page, who else
has the story open, the warning on leaving with unsaved changes and the local
draft offered back after a crash; axe on the revision pages."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, ArticleRevision
from articles.revisions import record_revision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def article(make_article, editor):
    article = make_article(
        headline="Council approves housing plan",
        body="<p>The vote was close.</p>",
        sources=["City council minutes"],
    )
    record_revision(article, editor, ArticleRevision.Action.PUBLISHED)
    return article


def signed_in(browser, live_server, user, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Desk")).to_be_visible()
    return page


def change_url(live_server, article):
    return f"{live_server.url}/admin/articles/article/{article.pk}/change/"


def test_a_stale_save_shows_the_conflict_page_and_saving_again_keeps_both_changes(
    browser, live_server, article, editor, make_editor
):
    ana = make_editor(username="ana", first_name="Ana", last_name="Lima")
    first = signed_in(browser, live_server, ana)
    second = signed_in(browser, live_server, editor)
    first.goto(change_url(live_server, article))
    second.goto(change_url(live_server, article))

    first.get_by_label("Headline").fill("Council approves housing plan by one vote")
    first.get_by_role("button", name="Save and continue editing").first.click()
    expect(first.locator(".messagelist")).to_contain_text("was changed successfully")

    second.get_by_label("Standfirst").fill("A plan for 400 homes.")
    second.get_by_role("button", name="Save and continue editing").first.click()
    conflict = second.get_by_role("region", name="Not saved: Ana Lima saved this article at")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Council approves housing plan by one vote")
    expect(second.get_by_label("Standfirst")).to_have_value("A plan for 400 homes.")
    article.refresh_from_db()
    assert article.headline == "Council approves housing plan by one vote"
    assert article.standfirst != "A plan for 400 homes."

    expect(conflict).to_contain_text("Their changes, now in the form: Headline.")
    expect(second.get_by_label("Headline")).to_have_value(
        "Council approves housing plan by one vote"
    )

    # Saving again applies this editor's change and keeps the other's.
    second.get_by_role("button", name="Save and continue editing").first.click()
    expect(second.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.standfirst == "A plan for 400 homes."
    assert article.headline == "Council approves housing plan by one vote"
    for page in (first, second):
        page.context.close()


def test_the_form_shows_who_else_has_it_open_with_unsaved_changes(
    browser, live_server, article, editor, make_editor
):
    ana = make_editor(username="ana", first_name="Ana")
    hers = signed_in(browser, live_server, ana)
    mine = signed_in(browser, live_server, editor)
    hers.goto(change_url(live_server, article))
    hers.get_by_label("Headline").click()
    hers.keyboard.type(" tonight")

    mine.goto(change_url(live_server, article))
    presence = mine.locator("#desk-presence")
    expect(presence).to_contain_text("Ana")
    # Her next ping (every 10 s) reports the unsaved change; my next one shows it.
    expect(presence).to_contain_text("Ana (with unsaved changes)", timeout=30_000)
    for page in (hers, mine):
        page.context.close()


def test_leaving_with_unsaved_changes_asks_first(browser, live_server, article, editor):
    page = signed_in(browser, live_server, editor)
    page.goto(change_url(live_server, article))
    page.wait_for_load_state("load")
    page.get_by_label("Headline").click()
    page.keyboard.type(" (updated)")
    page.wait_for_timeout(500)  # the change is noted after typing pauses
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # stay on the page
    assert "(updated)" in page.get_by_label("Headline").input_value()
    page.context.close()


def test_nothing_is_asked_when_leaving_an_unchanged_form(browser, live_server, article, editor):
    page = signed_in(browser, live_server, editor)
    page.goto(change_url(live_server, article))
    page.wait_for_load_state("load")
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.dismiss())
    page.get_by_role("link", name="Revisions (1)").click()
    expect(page.get_by_role("heading", name="Revisions")).to_be_visible()
    assert dialogs == []
    page.context.close()


def test_unsaved_body_text_is_offered_back_after_a_crash_and_cleared_by_saving(
    browser, live_server, article, editor
):
    page = signed_in(browser, live_server, editor)
    context = page.context
    page.goto(change_url(live_server, article))
    body = page.locator('.ProseMirror[contenteditable="true"]')
    expect(body).to_contain_text("The vote was close.")
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" Nine to eight.")
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.startsWith('newsroom-draft:'))"
    )
    page.close()  # the browser dies: no save, no goodbye

    page = context.new_page()
    page.goto(change_url(live_server, article))
    notice = page.locator("#desk-draft")
    expect(notice).to_contain_text("Restore unsaved text from")
    page.get_by_role("button", name="Restore it").click()
    expect(notice).to_be_hidden()
    expect(page.locator('.ProseMirror[contenteditable="true"]')).to_contain_text("Nine to eight.")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert "Nine to eight." in Article.objects.get(pk=article.pk).body
    assert drafts_kept(page) == []
    expect(page.locator("#desk-draft")).to_be_hidden()
    context.close()


def drafts_kept(page):
    return page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('newsroom-draft:'))"
    )


BODY = '.ProseMirror[contenteditable="true"]'


def add_form_typed_into(browser, live_server, user, words):
    """A new story's add form, opened by ``user``, with ``words`` typed into the body."""
    page = signed_in(browser, live_server, user)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator(BODY).click()
    page.keyboard.type(words)
    return page


def offered_back_on_a_new_add_form(context, live_server, words):
    """A new add form in the same browser: it offers the kept body, and
    "Restore it" puts it back."""
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    notice = page.locator("#desk-draft")
    expect(notice).to_contain_text("Restore unsaved text from")
    expect(notice).to_contain_text("It was typed into a new story but never saved.")
    page.get_by_role("button", name="Restore it").click()
    expect(notice).to_be_hidden()
    expect(page.locator(BODY)).to_contain_text(words)
    return page


def test_a_new_storys_unsaved_body_is_offered_back_on_the_add_form_and_cleared_by_saving(
    browser, live_server, editor, make_category
):
    make_category(name="City")
    page = add_form_typed_into(browser, live_server, editor, "The council met at dawn.")
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.startsWith('newsroom-draft:new:'))"
    )
    context = page.context
    page.close()  # the browser dies before the first save: the story has no id yet

    page = offered_back_on_a_new_add_form(context, live_server, "The council met at dawn.")
    page.get_by_label("Headline").fill("Council meets at dawn")
    page.locator(".field-category .select2-selection").click()
    page.locator(".select2-results__option", has_text="City").click()
    page.get_by_label("Standfirst").fill("An early start.")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert "The council met at dawn." in Article.objects.get(headline="Council meets at dawn").body
    assert drafts_kept(page) == []

    page.goto(f"{live_server.url}/admin/articles/article/add/")  # a fresh one offers nothing
    page.wait_for_load_state("load")
    expect(page.locator("#desk-draft")).to_be_hidden()
    context.close()


def test_a_new_storys_body_refused_by_a_failed_save_is_still_offered_after_a_crash(
    browser, live_server, editor
):
    page = add_form_typed_into(browser, live_server, editor, "Word from the council.")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".errornote")).to_be_visible()  # no headline, no section
    page.wait_for_load_state("load")
    page.wait_for_function(
        """() => Object.keys(localStorage).some(k => k.startsWith('newsroom-draft:new:')
            && JSON.parse(localStorage.getItem(k)).body.includes('Word from the council.'))"""
    )
    context = page.context
    page.close()

    offered_back_on_a_new_add_form(context, live_server, "Word from the council.")
    context.close()


@pytest.mark.parametrize("name", ["revisions", "compare", "restore", "conflict"])
def test_axe_finds_no_violations_on_the_revision_pages(
    browser,
    live_server,
    article,
    editor,
    axe_script,
    name,
):
    article.headline = "Council approves housing plan, nine to eight"
    article.body = "<p>The vote was close: nine to eight.</p>"
    article.status = Article.Status.DRAFT
    article.save()
    record_revision(article, editor, ArticleRevision.Action.SAVED)
    page = signed_in(browser, live_server, editor, bypass_csp=True)
    base = f"{live_server.url}/admin/articles/article/{article.pk}"
    if name == "conflict":
        page.goto(f"{base}/change/")
        page.evaluate("document.querySelector('[name=based_on_revision]').value = '1'")
        # Revision 2 changed the headline too: a third one here is a clash.
        page.get_by_label("Headline").fill("Council vote: nine to eight")
        page.get_by_role("button", name="Save and continue editing").first.click()
        expect(page.locator(".desk-conflict")).to_contain_text("Changed by both of you: Headline.")
    else:
        page.goto(
            {
                "revisions": f"{base}/revisions/",
                "compare": f"{base}/revisions/compare/",
                "restore": f"{base}/revisions/1/restore/",
            }[name]
        )
    page.add_script_tag(path=axe_script)
    # On the conflict page, what this page adds to the stock change form: the
    # stock form's own findings (inline tables, date widgets) are not its doing.
    scope = ".desk-conflict, .object-tools, #desk-presence" if name == "conflict" else "html"
    violations = page.evaluate(
        """async (scope) => (await axe.run(scope)).violations.map(
            v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)""",
        scope,
    )
    assert violations == []
    page.context.close()
