"""Embeds, driven as an editor and a reader would: the editor pastes a link
through the body editor, readers see a placeholder that fetches nothing from
the provider until they ask."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from articles.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def log_in(page, live_server, editor):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill(editor.raw_password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Desk")).to_be_visible()


def pick_from_the_library(page, dialog, button, photo):
    """Open the library from the dialog with ``button`` and choose ``photo``."""
    with page.expect_popup() as opened:
        dialog.get_by_role("button", name=button).click()
    popup = opened.value
    thumbnail = popup.get_by_role("link", name=photo.alt_text).first
    thumbnail.wait_for()
    # Choosing closes the popup at once: a click that waited on the closed page
    # afterwards would fail, so the click is the page's own and the test waits
    # for the popup to go.
    with popup.expect_event("close"):
        thumbnail.evaluate("link => link.click()")


def test_an_editor_inserts_a_library_photo_and_a_video_and_readers_find_them(
    page, live_server, editor, make_article, make_image
):
    photo = make_image(alt_text="The winning goal, from behind the net", credit="Ana Photo")
    article = make_article(headline="Derby day", body="<p>The winner came late.</p>")
    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    body = page.locator('.ProseMirror[contenteditable="true"]')
    expect(body).to_contain_text("The winner came late.")
    body.click()
    page.keyboard.press("End")

    page.locator('[title="Insert a photo from the library"]').first.click()
    dialog = page.locator("dialog[open]")
    pick_from_the_library(page, dialog, "Choose from the library", photo)
    expect(dialog.get_by_label("Photo")).to_have_value(str(photo.pk))
    # The number is looked up in the library before the dialog takes it: an
    # editor inserts once the photo shows, and so does the test.
    expect(dialog.locator(".library-photo")).to_contain_text(photo.alt_text)
    dialog.get_by_role("button", name="Insert").click()
    expect(body).to_contain_text(f"Library photo {photo.pk} (inline)")

    page.locator('[title="Embed a video or post"]').first.click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Link to the video, post or track").fill(VIDEO)
    dialog.get_by_label("Title shown before it loads (optional)").fill("The winning goal")
    dialog.get_by_role("button", name="Embed").click()
    expect(body).to_contain_text(f"Embedded {VIDEO}")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    stored = Article.objects.get(pk=article.pk).body
    assert f'<figure data-image="{photo.pk}" data-layout="inline"></figure>' in stored
    assert '<figure data-embed="youtube" data-id="dQw4w9WgXcQ"' in stored
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("img", name=photo.alt_text)).to_have_attribute("loading", "lazy")
    expect(page.get_by_text("Photo: Ana Photo")).to_be_visible()
    expect(page.get_by_role("button", name="Load content from YouTube")).to_be_visible()
    expect(page.get_by_text("The winning goal").first).to_be_visible()


def test_the_page_fetches_nothing_from_the_provider_until_the_reader_asks(
    browser, live_server, make_article
):
    article = make_article(
        body=f'<p>Before.</p><figure data-url="{VIDEO}" data-title="The goal"></figure>'
    )
    context = browser.new_context()
    page = context.new_page()
    hosts = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname))
    # The player itself is not fetched from the internet in a test: answer for it.
    page.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: route.fulfill(body="<title>player</title>", content_type="text/html"),
    )
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert set(hosts) == {urlsplit(live_server.url).hostname}

    placeholder = page.locator("figure.embed .embed__box")
    before = placeholder.bounding_box()
    with page.expect_request("https://www.youtube-nocookie.com/**"):
        page.get_by_role("button", name="Load content from YouTube").click()
    frame = page.locator("iframe.embed__frame")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    expect(frame).to_have_attribute("title", "YouTube video: The goal")
    assert "www.youtube-nocookie.com" in hosts
    after = frame.bounding_box()
    assert (round(after["width"]), round(after["height"])) == (
        round(before["width"]),
        round(before["height"]),
    )  # the placeholder kept the player's space
    context.close()


def test_without_javascript_readers_get_a_link_to_the_original(browser, live_server, make_article):
    article = make_article(body=f'<figure data-url="{VIDEO}"></figure>')
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("button", name="Load content from YouTube")).to_be_hidden()
    link = page.get_by_role("link", name="The video on YouTube")
    expect(link).to_have_attribute("href", VIDEO)
    context.close()
