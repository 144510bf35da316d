"""Choosing a story's hero photo from the library by sight, in Chromium: the
search shows each photo, and the form's preview follows the choice before the
story is saved."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(make_image, make_article):
    make_image(alt_text="Fans on the north stand", credit="Ana Photo")
    make_image(alt_text="The council chamber", credit="Agency")
    return make_article(headline="Derby day")


def serve_media(page, media_root):
    """The media storage, served as the web server would in production."""
    page.route(
        "**/media/**",
        lambda route: route.fulfill(path=media_root / route.request.url.split("/media/", 1)[1]),
    )


def test_the_hero_search_shows_photos_and_the_choice_is_previewed_before_saving(
    signed_in, live_server, library, settings
):
    page = signed_in().new_page()
    serve_media(page, settings.MEDIA_ROOT)
    page.goto(f"{live_server.url}/admin/articles/article/{library.pk}/change/")
    preview = page.locator(".field-hero_preview .readonly")
    expect(preview).to_have_text("No photo chosen yet.")

    page.locator(".field-hero .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("north")
    result = page.locator(".select2-results__option", has_text="Fans on the north stand")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("Ana Photo")
    photo = result.locator("img")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") > 0  # it loaded
    expect(page.locator(".select2-results__option", has_text="council")).to_have_count(0)

    result.click()
    expect(preview.locator("img")).to_be_visible()
    expect(preview).to_contain_text("Fans on the north stand (Ana Photo)")
    expect(page.locator(".field-hero .select2-selection img")).to_be_visible()
    library.refresh_from_db()
    assert library.hero is None  # nothing saved yet
