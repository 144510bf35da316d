"""Tables and pull quotes, inserted through the body editor and read on a phone;
no photo, gallery, embed or table offered inside a table."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.test_embeds import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE_TABLE = (
    '<figure data-table=""><table><tbody><tr>'
    + "".join(f"<th><p>Column heading {n}</p></th>" for n in range(12))
    + "</tr><tr>"
    + "".join(f"<td><p>Value number {n}</p></td>" for n in range(12))
    + "</tr></tbody></table><figcaption>A wide table</figcaption></figure>"
)


def test_a_wide_table_scrolls_on_a_phone_instead_of_widening_the_page(
    browser, live_server, make_article
):
    article = make_article(body=f"<p>Before.</p>{WIDE_TABLE}<p>After.</p>")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    region = page.get_by_role("region", name="A wide table")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")  # it scrolls itself
    region.focus()
    page.keyboard.press("ArrowRight")
    expect(region).to_be_focused()
    context.close()


def test_an_editor_inserts_a_table_with_a_caption_and_a_pull_quote(
    page, live_server, editor, make_article
):
    article = make_article(body="<p>The table says it all.</p>")
    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    body = page.locator('.ProseMirror[contenteditable="true"]')
    body.click()
    page.keyboard.press("End")
    page.locator('[title="Insert a table with a caption"]').first.click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Caption: what the table shows").fill("Serie A standings")
    dialog.get_by_role("button", name="Insert").click()
    body.locator("th").first.click()
    page.keyboard.type("Team")
    body.locator("p", has_text="The table says it all.").click()
    page.locator('[title="Pull quote"]').first.click()
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    stored = Article.objects.get(pk=article.pk).body
    assert '<figure data-table=""><table>' in stored and "<th><p>Team</p></th>" in stored
    assert "<figcaption>Serie A standings</figcaption>" in stored
    assert '<aside data-pull-quote=""><p>The table says it all.</p></aside>' in stored
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("region", name="Serie A standings")).to_be_visible()
    expect(page.locator("aside.pull-quote")).to_have_text("The table says it all.")


def test_photos_galleries_embeds_and_tables_are_not_offered_inside_a_table(
    page, live_server, editor, make_article
):
    table = (
        '<figure data-table=""><table><tbody><tr><th><p>Team</p></th></tr>'
        "<tr><td><p>Atalanta</p></td></tr></tbody></table>"
        "<figcaption>Serie A</figcaption></figure>"
    )
    article = make_article(body=f"<p>Before the table.</p>{table}")
    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    body = page.locator('.ProseMirror[contenteditable="true"]')
    media = [
        page.locator(f'[title="{title}"]').first
        for title in (
            "Insert a photo from the library",
            "Insert a gallery from the library",
            "Embed a video or post",
            "Insert a table with a caption",
        )
    ]
    body.locator("td p").click()
    for button in media:
        expect(button).to_have_class(re.compile(r"\bdisabled\b"))
    media[0].click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    body.locator("p", has_text="Before the table.").click()
    for button in media:
        expect(button).not_to_have_class(re.compile(r"\bdisabled\b"))
