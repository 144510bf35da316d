"""Photos and galleries from the image library inside a story: stored as
references, shown with their sizes, srcset and credits, loaded in one query
however many there are; shown to the desk by their thumbnails, and refused
on save when the library has no such photo."""

import json
import re

import pytest
from django.urls import reverse

from articles.models import Article
from articles.models import Image as LibraryImage
from articles.revisions import latest_number
from tests.articles.test_admin import article_form

pytestmark = pytest.mark.django_db


def inline(image, layout="inline"):
    return f'<figure data-image="{image.pk}" data-layout="{layout}"></figure>'


def gallery(*images):
    return f'<figure data-gallery="{",".join(str(i.pk) for i in images)}"></figure>'


def page_of(client, article):
    return client.get(article.get_absolute_url()).content.decode()


class TestStoredAsReferences:
    def test_an_image_and_a_gallery_are_kept_as_ids_and_a_layout(self, make_article):
        body = '<figure data-image="12" data-layout="full"></figure><figure data-gallery="3,4"></figure>'
        assert make_article(body=body).body == body

    def test_a_gallery_lists_each_photo_once_and_an_unknown_layout_becomes_inline(
        self, make_article
    ):
        article = make_article(
            body='<figure data-gallery="3, 4,3"></figure><figure data-image="7" data-layout="x">'
            "</figure>"
        )
        assert article.body == (
            '<figure data-gallery="3,4"></figure><figure data-image="7" data-layout="inline">'
            "</figure>"
        )


class TestReadersSee:
    def test_a_figure_with_srcset_sizes_dimensions_lazy_loading_and_the_credit(
        self, client, make_article, make_image
    ):
        photo = make_image(
            alt_text="Fans on the pitch", caption="The final whistle.", credit="Ana Photo"
        )
        page = page_of(client, make_article(body=f"<p>Text.</p>{inline(photo, 'full')}"))
        figure = re.search(r'<figure class="body-image body-image--full">.*?</figure>', page, re.S)
        html = figure.group(0)
        assert 'width="2000" height="1000"' in html and 'alt="Fans on the pitch"' in html
        assert "480w" in html and "2000w" in html and "sizes=" in html
        assert 'loading="lazy"' in html
        assert "The final whistle." in html and "Photo: Ana Photo" in html

    def test_a_gallery_is_a_list_that_scrolls_by_keyboard_without_javascript(
        self, client, make_article, make_image
    ):
        photos = [make_image(alt_text=f"Goal number {n}") for n in range(3)]
        page = page_of(client, make_article(body=gallery(*photos)))
        scroll = re.search(r'<div class="gallery__scroll"[^>]*>', page).group(0)
        assert 'tabindex="0"' in scroll and 'role="region"' in scroll
        assert 'aria-label="Gallery of 3 photos' in scroll
        assert [m for m in re.findall(r'alt="(Goal number \d)"', page)] == [
            "Goal number 0",
            "Goal number 1",
            "Goal number 2",
        ]
        assert "1 of 3" in page and "3 of 3" in page

    def test_json_ld_lists_the_inline_images_after_the_hero(self, client, make_article, make_image):
        hero, photo = make_image(), make_image()
        article = make_article(hero=hero, body=inline(photo) + gallery(photo, hero))
        data = json.loads(
            re.search(
                r'application/ld\+json">(.*?)</script>', page_of(client, article), re.S
            ).group(1)
        )
        urls = [image["url"] for image in data["image"]]
        assert len(urls) == 5  # the hero's three crops, then the body's two images
        assert urls[3:] == [
            f"http://testserver{photo.file.url}",
            f"http://testserver{hero.file.url}",
        ]

    def test_a_stored_image_id_that_names_nothing_shows_readers_nothing(self, client, make_article):
        page = page_of(
            client,
            make_article(
                body='<p>Text.</p><figure data-image="999999" data-layout="inline"></figure>'
            ),
        )
        assert "body-image" not in page and "Text." in page


class TestTheEditorsThumbnails:
    """What the body editor shows of the photos an editor picks or typed:
    ``/admin/articles/image/thumbs/?ids=…``."""

    def thumbs(self, client, ids):
        return client.get(reverse("admin:articles_image_thumbs"), {"ids": ids})

    def test_each_image_asked_for_comes_with_its_thumbnail_alt_text_and_credit_in_order(
        self, client, editor, make_image
    ):
        first = make_image(alt_text="The winning goal", credit="Ana Photo")
        second = make_image(alt_text="The celebrations", credit="")
        client.force_login(editor)
        found = self.thumbs(client, f"{second.pk},{first.pk}").json()["images"]
        assert found == [
            {
                "id": second.pk,
                "thumbnail": second.card_url(),
                "alt": "The celebrations",
                "credit": "",
                "width": 2000,
                "height": 1000,
                "url": reverse("admin:articles_image_change", args=[second.pk]),
            },
            {
                "id": first.pk,
                "thumbnail": first.card_url(),
                "alt": "The winning goal",
                "credit": "Ana Photo",
                "width": 2000,
                "height": 1000,
                "url": reverse("admin:articles_image_change", args=[first.pk]),
            },
        ]
        assert found[0]["thumbnail"].startswith("/media/")

    def test_ids_that_name_no_image_are_left_out(self, client, editor, make_image):
        photo = make_image()
        client.force_login(editor)
        found = self.thumbs(client, f"999998,{photo.pk},999999").json()["images"]
        assert [image["id"] for image in found] == [photo.pk]
        assert self.thumbs(client, "999999").json() == {"images": []}

    def test_the_images_come_in_one_query_however_many_are_asked_for(
        self, client, editor, make_image, django_assert_num_queries
    ):
        photos = [make_image() for _ in range(8)]
        client.force_login(editor)
        ids = ",".join(str(photo.pk) for photo in photos)
        # session, editor, their own and their groups' permissions, the images
        with django_assert_num_queries(5):
            found = self.thumbs(client, ids).json()["images"]
        assert len(found) == 8

    def test_a_reporter_may_look_as_they_may_view_the_library(
        self, client, make_reporter, make_image
    ):
        photo = make_image()
        client.force_login(make_reporter())
        response = self.thumbs(client, str(photo.pk))
        assert response.status_code == 200
        assert [image["id"] for image in response.json()["images"]] == [photo.pk]

    def test_only_staff_who_may_view_the_library_get_any_answer(
        self, client, make_user, make_image
    ):
        photo = make_image()
        anonymous = self.thumbs(client, str(photo.pk))
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/admin/login/")
        client.force_login(make_user())  # signed in, but not staff
        assert self.thumbs(client, str(photo.pk)).status_code == 302
        client.force_login(make_user(is_staff=True))  # staff without the library
        assert self.thumbs(client, str(photo.pk)).status_code == 403

    @pytest.mark.parametrize("ids", ["12,x", "12;13", "-1", "12345678901"])
    def test_anything_but_numbers_separated_by_commas_is_a_bad_request(self, client, editor, ids):
        client.force_login(editor)
        response = self.thumbs(client, ids)
        assert response.status_code == 400
        assert response.json() == {"error": "ids: numbers separated by commas."}

    def test_more_than_a_hundred_ids_at_once_is_a_bad_request(self, client, editor):
        client.force_login(editor)
        response = self.thumbs(client, ",".join(str(n) for n in range(1, 102)))
        assert response.status_code == 400
        assert response.json() == {"error": "ids: at most 100 at a time."}


class TestSavingFromTheDesk:
    def post(self, client, category, body, article=None):
        url = (
            reverse("admin:articles_article_change", args=[article.pk])
            if article
            else reverse("admin:articles_article_add")
        )
        data = article_form(category, body=body)
        if article:
            data.update(slug=article.slug, based_on_revision=str(latest_number(article.pk)))
        return client.post(url, data)

    def test_a_body_naming_an_unknown_image_id_is_refused_by_number_and_kept_in_the_form(
        self, client, editor, make_category, make_image
    ):
        photo = make_image()
        body = (
            "<p>The winner came late.</p>"
            f'<figure data-image="{photo.pk}" data-layout="inline"></figure>'
            '<figure data-image="999999" data-layout="inline"></figure>'
        )
        client.force_login(editor)
        response = self.post(client, make_category(), body)
        assert response.status_code == 200
        assert not Article.objects.exists()
        page = response.content.decode()
        assert (
            "No photo in the image library has the number 999999. Choose the photo from "
            "the library, or take it out of the story."
        ) in page
        assert "The winner came late." in page
        assert "data-image=&quot;999999&quot;" in page  # the body as sent, to correct

    def test_a_gallery_naming_unknown_ids_is_refused_with_all_their_numbers(
        self, client, editor, make_category, make_image
    ):
        photo = make_image()
        client.force_login(editor)
        body = f'<figure data-gallery="999998,{photo.pk},999999"></figure>'
        response = self.post(client, make_category(), body)
        assert response.status_code == 200
        assert not Article.objects.exists()
        assert (
            "No photos in the image library have the numbers 999998 and 999999. Choose the "
            "photos from the library, or take them out of the story."
        ) in response.content.decode()

    def test_a_body_naming_library_images_saves(self, client, editor, make_category, make_image):
        first, second = make_image(), make_image()
        client.force_login(editor)
        body = inline(first) + gallery(first, second)
        response = self.post(client, make_category(), body)
        assert response.status_code == 302
        assert Article.objects.get().body == body

    def test_the_unknown_ids_among_many_are_found_in_one_query(
        self, make_image, django_assert_num_queries
    ):
        photos = [make_image() for _ in range(8)]
        ids = [999999, *(photo.pk for photo in photos), 999998, 999999]
        with django_assert_num_queries(1):
            assert LibraryImage.objects.missing(ids) == [999999, 999998]

    def test_a_story_whose_saved_body_already_names_an_unknown_id_still_saves(
        self, client, editor, make_article, make_image
    ):
        stale = '<figure data-image="999999" data-layout="inline"></figure>'
        article = make_article(body=f"<p>Old text.</p>{stale}")
        photo = make_image()
        client.force_login(editor)
        body = f"<p>New text.</p>{stale}{inline(photo)}"
        response = self.post(client, article.category, body, article=article)
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.body == body


class TestQueries:
    def test_the_page_costs_the_same_with_one_inline_image_or_eight_all_in_one_query(
        self, client, make_article, make_image, django_assert_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(make_article().get_absolute_url())  # what any first page warms
        one = [make_image()]
        eight = [make_image() for _ in range(8)]
        few = make_article(body="".join(inline(i) for i in one) + gallery(*one))
        many = make_article(body="".join(inline(i) for i in eight) + gallery(*eight))
        with django_assert_num_queries(PAGE_QUERIES):
            assert client.get(few.get_absolute_url()).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert client.get(many.get_absolute_url()).status_code == 200
        assert len(queries) == PAGE_QUERIES
        image_queries = [q["sql"] for q in queries if 'FROM "articles_image"' in q["sql"]]
        assert len(image_queries) == 1  # every body image at once (heroes come joined)
        assert '"articles_image"."id" IN (' in image_queries[0]


# The article page's whole budget with library images in the body: one query
# loads them, however many there are (beside the article's credits and topics,
# and the thread's newest change for live updates).
PAGE_QUERIES = 11


def test_feeds_show_the_body_images_as_media_content(client, make_article, make_image):
    import feedparser

    photo = make_image(alt_text="The winning goal")
    second = make_image(alt_text="The celebrations")
    make_article(headline="Derby day", body=inline(photo) + gallery(photo, second))
    for url in ("/feeds/latest/", "/feeds/latest/atom/"):
        feed = feedparser.parse(client.get(url).content)
        (entry,) = feed.entries
        urls = [media["url"] for media in entry.media_content]
        assert urls[1:] == [
            f"http://testserver{photo.file.url}",
            f"http://testserver{second.file.url}",
        ]
        assert entry.media_content[1]["type"] == "image/png"
