"""A library image a story uses, as its hero, as a photo or in a gallery in its
body, or in one of its live entries, cannot be deleted; the library says which
stories use it and how."""

import re

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, image_uses_by_story
from articles.models import Image as LibraryImage
from live.models import LiveEntry
from tests.articles.test_admin import article_form

pytestmark = pytest.mark.django_db


def photo(image):
    return f'<figure data-image="{image.pk}" data-layout="inline"></figure>'


def gallery(*images):
    return f'<figure data-gallery="{",".join(str(i.pk) for i in images)}"></figure>'


# Each way a story uses an image, and how the library names it.
USES = {
    "hero": lambda make_article, image: make_article(headline="Derby day", hero=image),
    "photo": lambda make_article, image: make_article(headline="Derby day", body=photo(image)),
    "gallery": lambda make_article, image: make_article(headline="Derby day", body=gallery(image)),
    "live entry": lambda make_article, image: LiveEntry.objects.create(
        article=make_article(headline="Derby day"), body="<p>Kick-off.</p>", image=image
    ),
}
NAMED = {
    "hero": "hero image",
    "photo": "photo in the body",
    "gallery": "gallery",
    "live entry": "live entry",
}


def uses(article):
    return sorted(article.body_image_uses.values_list("image_id", "kind"))


class TestDeletingIsRefused:
    @pytest.mark.parametrize("use", USES)
    def test_the_admin_refuses_and_names_the_story_and_the_use(
        self, client, editor, make_article, make_image, use
    ):
        image = make_image()
        USES[use](make_article, image)
        client.force_login(editor)
        url = reverse("admin:articles_image_delete", args=[image.pk])
        page = client.get(url).content.decode()
        assert "cannot be deleted: these stories use it" in page
        assert f"Derby day</a> ({NAMED[use]})" in page
        assert 'name="post" value="yes"' not in page
        response = client.post(url, {"post": "yes"})
        assert response.status_code == 200
        assert "cannot be deleted" in response.content.decode()
        assert LibraryImage.objects.filter(pk=image.pk).exists()

    @pytest.mark.parametrize("use", USES)
    def test_deleting_in_code_raises_protected_error(self, make_article, make_image, use):
        image = make_image()
        USES[use](make_article, image)
        with pytest.raises(ProtectedError):
            image.delete()
        with pytest.raises(ProtectedError):
            LibraryImage.objects.filter(pk=image.pk).delete()
        assert LibraryImage.objects.filter(pk=image.pk).exists()

    def test_each_story_is_listed_once_with_all_its_uses(
        self, client, editor, make_article, make_image
    ):
        image, other = make_image(), make_image()
        derby = make_article(
            headline="Derby day", hero=image, body=photo(image) + gallery(other, image)
        )
        LiveEntry.objects.create(article=derby, body="<p>Goal.</p>", image=image)
        LiveEntry.objects.create(article=derby, body="<p>Another.</p>", image=image)
        make_article(headline="Cup final", body=gallery(image))
        client.force_login(editor)
        page = client.get(reverse("admin:articles_image_delete", args=[image.pk])).content
        items = re.findall(r"<li>(.*?)</li>", page.decode())
        assert [re.sub(r"<[^>]+>", "", item) for item in items] == [
            "Cup final (gallery)",
            "Derby day (hero image, photo in the body, gallery, live entry)",
        ]
        assert f'href="{reverse("admin:articles_article_change", args=[derby.pk])}"' in items[1]

    def test_deleting_selected_images_lists_the_stories_under_each_image_in_use(
        self, client, editor, make_article, make_image
    ):
        used = make_image(alt_text="The winning goal")
        unused = make_image(alt_text="A council meeting")
        make_article(headline="Derby day", body=gallery(used))
        client.force_login(editor)
        response = client.post(
            reverse("admin:articles_image_changelist"),
            {"action": "delete_selected", "_selected_action": [used.pk, unused.pk], "post": "yes"},
        )
        page = response.content.decode()
        assert "The selected images cannot be deleted" in page
        assert re.search(
            r"<li>The winning goal \(Agency\)\s*<ul>\s*<li><a [^>]+>Derby day</a>", page
        )
        assert "A council meeting" not in page
        assert LibraryImage.objects.count() == 2


class TestDeletingIsAllowed:
    def test_an_image_no_story_uses_is_deleted_from_the_admin(
        self, client, editor, make_article, make_image
    ):
        image = make_image()
        make_article(body=gallery(make_image()))
        client.force_login(editor)
        url = reverse("admin:articles_image_delete", args=[image.pk])
        assert 'name="post" value="yes"' in client.get(url).content.decode()
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert not LibraryImage.objects.filter(pk=image.pk).exists()

    def test_an_image_taken_out_of_the_body_can_be_deleted(self, make_article, make_image):
        image = make_image()
        article = make_article(body=f"<p>Text.</p>{photo(image)}")
        article.body = "<p>Text.</p>"
        article.save()
        image.delete()
        assert not LibraryImage.objects.filter(pk=image.pk).exists()

    def test_an_image_of_a_deleted_story_can_be_deleted(self, make_article, make_image):
        image = make_image()
        article = make_article(body=gallery(image))
        LiveEntry.objects.create(article=article, body="<p>Goal.</p>", image=image)
        article.delete()
        image.delete()
        assert not LibraryImage.objects.filter(pk=image.pk).exists()


class TestRecordingTheBodysImages:
    def test_each_photo_and_gallery_photo_is_recorded_once(self, make_article, make_image):
        first, second = make_image(), make_image()
        article = make_article(
            body=photo(first) + photo(first) + gallery(first, second) + gallery(second)
        )
        assert uses(article) == sorted(
            [(first.pk, "photo"), (first.pk, "gallery"), (second.pk, "gallery")]
        )

    def test_an_edit_records_what_the_body_now_shows(self, make_article, make_image):
        kept, dropped, added = make_image(), make_image(), make_image()
        article = make_article(body=photo(kept) + gallery(dropped, kept))
        article.body = photo(kept) + photo(added)
        article.save()
        assert uses(article) == sorted([(kept.pk, "photo"), (added.pk, "photo")])

    def test_an_id_that_names_no_image_is_saved_but_not_recorded(self, make_article, make_image):
        image = make_image()
        article = make_article(
            body='<figure data-image="999999" data-layout="inline"></figure>' + gallery(image)
        )
        assert 'data-image="999999"' in article.body
        assert uses(article) == [(image.pk, "gallery")]

    def test_saving_an_unchanged_body_writes_no_use(self, make_article, make_image):
        article = make_article(body=photo(make_image()) + gallery(make_image(), make_image()))
        with CaptureQueriesContext(connection) as queries:
            article.save()
        written = [
            q["sql"]
            for q in queries
            if '"articles_bodyimageuse"' in q["sql"] and not q["sql"].startswith("SELECT")
        ]
        assert written == []
        assert len(uses(article)) == 3

    def test_saving_other_fields_only_does_not_read_the_uses(
        self, make_article, make_image, django_assert_num_queries
    ):
        article = make_article(body=photo(make_image()))
        article.headline = "Renamed"
        # Savepoint, update, release; PostgreSQL also refreshes the search vector.
        expected = 4 if connection.vendor == "postgresql" else 3
        with CaptureQueriesContext(connection) as queries, django_assert_num_queries(expected):
            article.save(update_fields=["headline"])
        assert not [q for q in queries if "bodyimageuse" in q["sql"].lower()]

    def test_the_admin_form_records_the_body_images(
        self, client, editor, make_category, make_image
    ):
        image = make_image()
        client.force_login(editor)
        response = client.post(
            reverse("admin:articles_article_add"),
            article_form(make_category(), body=f"<p>Text.</p>{gallery(image)}"),
        )
        assert response.status_code == 302
        assert uses(Article.objects.get()) == [(image.pk, "gallery")]


class TestTheLibrarySaysWhoUsesAnImage:
    def test_used_by_lists_the_body_gallery_and_live_entry_uses(
        self, client, editor, make_article, make_image
    ):
        image = make_image()
        make_article(headline="Derby day", body=photo(image))
        make_article(headline="Cup final", body=gallery(image))
        LiveEntry.objects.create(
            article=make_article(headline="Live: the derby"), body="<p>Goal.</p>", image=image
        )
        client.force_login(editor)
        page = client.get(reverse("admin:articles_image_change", args=[image.pk])).content
        used_by = re.search(r"Used by:</label>\s*<div[^>]*>(.*?)</div>", page.decode(), re.S)
        assert re.sub(r"<[^>]+>", "", used_by.group(1)) == (
            "Cup final (gallery), Derby day (photo in the body), Live: the derby (live entry)"
        )

    def test_an_image_no_story_uses_says_so(self, client, editor, make_image):
        image = make_image()
        client.force_login(editor)
        page = client.get(reverse("admin:articles_image_change", args=[image.pk])).content
        assert "No story yet." in page.decode()

    def test_the_use_filter_counts_body_gallery_and_live_entry_uses(
        self, client, editor, make_article, make_image
    ):
        in_body = make_image(alt_text="In the body")
        in_gallery = make_image(alt_text="In a gallery")
        in_live = make_image(alt_text="In a live entry")
        as_hero = make_image(alt_text="As a hero")
        make_image(alt_text="Unused")
        make_article(hero=as_hero, body=photo(in_body) + gallery(in_gallery))
        LiveEntry.objects.create(article=make_article(), body="<p>Goal.</p>", image=in_live)
        client.force_login(editor)
        url = reverse("admin:articles_image_changelist")

        def listed(used):
            page = client.get(url, {"used": used}).content.decode()
            return sorted(set(re.findall(r'alt="([^"]+)" class="library-thumbnail"', page)))

        assert listed("yes") == ["As a hero", "In a gallery", "In a live entry", "In the body"]
        assert listed("no") == ["Unused"]

    def test_every_use_of_several_images_is_found_in_one_query(
        self, make_article, make_image, django_assert_num_queries
    ):
        first, second = make_image(), make_image()
        derby = make_article(headline="Derby day", hero=first, body=gallery(first, second))
        LiveEntry.objects.create(article=derby, body="<p>Goal.</p>", image=second)
        with django_assert_num_queries(1):
            found = image_uses_by_story([first.pk, second.pk])
        assert found == [
            (first.pk, derby.pk, "Derby day", "hero image"),
            (first.pk, derby.pk, "Derby day", "gallery"),
            (second.pk, derby.pk, "Derby day", "gallery"),
            (second.pk, derby.pk, "Derby day", "live entry"),
        ]
