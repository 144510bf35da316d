"""Editors set a library image's focal point by clicking the image in its form."""

import pytest
from playwright.sync_api import expect

from articles.models import Image as LibraryImage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library_image(make_image, hero_upload):
    return make_image(file=hero_upload, alt_text="A blue sky")


def test_clicking_the_image_sets_the_focal_point_and_saving_recrops(
    page, live_server, library_image, editor, settings
):
    # The media storage, served as the web server would in production.
    page.route(
        "**/media/**",
        lambda route: route.fulfill(
            path=settings.MEDIA_ROOT / route.request.url.split("/media/", 1)[1]
        ),
    )
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill(editor.raw_password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/articles/image/{library_image.pk}/change/")

    picture = page.get_by_role("img", name="The image: click the subject to set the focal point")
    expect(picture).to_be_visible()
    expect(picture).to_have_attribute("src", f"{live_server.url}{library_image.file.url}")
    assert picture.evaluate("image => image.naturalWidth") == 1600  # the image itself
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    expect(page.get_by_label("Focal point across")).to_have_value("25")
    expect(page.get_by_label("Focal point down")).to_have_value("75")

    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert LibraryImage.objects.get(pk=library_image.pk).crops["focus"] == [25, 75]
    expect(page.get_by_role("img", name="The 1x1 crop")).to_be_visible()
