"""Library photos, galleries, tables and pull quotes, inserted through the body
editor: photos chosen by sight and shown as they will be, tables read on a
phone; no photo, gallery, embed or table offered inside a table."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.test_embeds import log_in, pick_from_the_library
from tests.browser.test_hero_picker import serve_media

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


@pytest.fixture
def desk_page(signed_in, settings, make_image):
    """A page of the editor on duty's browser, the library's photos served
    (from where ``make_image`` stores them)."""
    context = signed_in()
    serve_media(context, settings.MEDIA_ROOT)
    return context.new_page()


def edit_body(page, live_server, article):
    """Open the article's form; its body's editor."""
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    body = page.locator('.ProseMirror[contenteditable="true"]')
    expect(body).to_be_visible()
    return body


def loaded(image):
    """The image element has drawn a picture."""
    return image.evaluate("img => img.complete && img.naturalWidth > 0")


def test_an_editor_picks_photos_by_sight_inserts_a_photo_and_a_gallery_and_readers_find_them(
    desk_page, live_server, make_article, make_image
):
    goal = make_image(alt_text="The winning goal", credit="Ana Photo")
    fans = make_image(alt_text="Fans on the north stand", credit="Luca Photo")
    make_image(alt_text="The council chamber")
    article = make_article(headline="Derby day", body="<p>The winner came late.</p>")
    page = desk_page
    body = edit_body(page, live_server, article)
    body.locator("p", has_text="The winner came late.").click()
    page.keyboard.press("End")

    page.locator('[title="Insert a photo from the library"]').first.click()
    dialog = page.locator("dialog[open]")
    pick_from_the_library(page, dialog, "Choose from the library", goal)
    expect(dialog.get_by_label("Photo")).to_have_value(str(goal.pk))
    chosen = dialog.locator(".library-photo")
    expect(chosen).to_have_count(1)
    expect(chosen).to_contain_text("The winning goal")
    expect(chosen).to_contain_text("Photo: Ana Photo")
    expect(chosen.locator("img")).to_be_visible()
    assert loaded(chosen.locator("img"))
    dialog.get_by_role("button", name="Insert").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    photo = body.locator("figure.body-embed", has_text=f"Library photo {goal.pk}")
    expect(photo.locator(".library-photo")).to_have_text(re.compile("The winning goal"))
    assert loaded(photo.locator("img"))

    page.locator('[title="Insert a gallery from the library"]').first.click()
    dialog = page.locator("dialog[open]")
    for pick in (fans, goal):
        pick_from_the_library(page, dialog, "Add a photo from the library", pick)
        expect(dialog.locator(".library-photo", has_text=pick.alt_text)).to_be_visible()
    expect(dialog.get_by_label("Photos, in order")).to_have_value(f"{fans.pk},{goal.pk}")
    expect(dialog.locator(".library-photo")).to_have_count(2)
    expect(dialog.locator(".library-photo").first).to_contain_text("Photo: Luca Photo")
    dialog.get_by_role("button", name="Insert").click()
    shown = body.locator("figure.body-embed", has_text="Gallery").locator(".library-photo")
    expect(shown).to_have_text(
        [re.compile("Fans on the north stand"), re.compile("The winning goal")]
    )
    assert all(loaded(image) for image in shown.locator("img").all())

    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    stored = Article.objects.get(pk=article.pk).body
    assert f'<figure data-image="{goal.pk}" data-layout="inline"></figure>' in stored
    assert f'<figure data-gallery="{fans.pk},{goal.pk}"></figure>' in stored

    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("figure.body-image").get_by_role("img")).to_have_accessible_name(
        "The winning goal"
    )
    gallery = page.get_by_role("region", name=re.compile("Gallery of 2 photos"))
    expect(gallery.get_by_role("img")).to_have_count(2)
    expect(gallery.get_by_role("img").first).to_have_accessible_name("Fans on the north stand")
    expect(gallery.get_by_role("img").last).to_have_accessible_name("The winning goal")
    expect(page.get_by_text("Photo: Luca Photo")).to_be_visible()


def test_a_number_that_names_no_photo_is_said_so_and_a_typed_one_is_not_inserted(
    desk_page, live_server, make_article, make_image
):
    goal = make_image(alt_text="The winning goal", credit="Ana Photo")
    stale = '<figure data-image="999998" data-layout="inline"></figure>'  # saved long ago
    article = make_article(body=f"{stale}<p>The winner came late.</p>")
    page = desk_page
    body = edit_body(page, live_server, article)
    expect(body.locator("figure.body-embed .library-photo")).to_have_text(
        "No photo in the image library has the number 999998. Readers see nothing here: "
        "take it out, or choose the photo again."
    )
    body.locator("p", has_text="The winner came late.").click()
    page.keyboard.press("End")

    page.locator('[title="Insert a gallery from the library"]').first.click()
    dialog = page.locator("dialog[open]")
    field = dialog.get_by_label("Photos, in order")
    field.fill(f"{goal.pk}, 999999")
    expect(dialog.locator(".library-photo")).to_have_text(
        [
            re.compile("The winning goal"),
            "No photo in the image library has the number 999999. Choose it from the library.",
        ]
    )
    dialog.get_by_role("button", name="Insert").click()
    expect(dialog).to_be_visible()  # refused
    expect(field).to_have_js_property(
        "validationMessage", "No photo in the image library has the number 999999."
    )
    field.fill(str(goal.pk))
    expect(dialog.locator(".library-photo")).to_have_count(1)
    dialog.get_by_role("button", name="Insert").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    gallery = body.locator("figure.body-embed", has_text="Gallery of library photos")
    expect(gallery).to_contain_text(f"Gallery of library photos {goal.pk}")
    expect(gallery.locator(".library-photo")).to_have_text(re.compile("The winning goal"))
    expect(body).not_to_contain_text("999999")
