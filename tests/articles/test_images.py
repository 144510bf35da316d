"""The image library: what an editor uploads, what every story that uses an
image shares, and what a reader's browser is given."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from articles.images import IMAGE_FORMATS, crop_box
from articles.models import Article
from articles.models import Image as LibraryImage
from tests.articles.test_admin import article_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(width=2000, height=1000, name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def image_file(kind, name, width=600, height=400):
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), (30, 120, 200))
    if kind == "ICO":
        image = image.resize((64, 64))
    image.save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def image_form(**overrides):
    return {
        "alt_text": "A red square",
        "caption": "",
        "credit": "",
        "source": "",
        "focus_x": "50",
        "focus_y": "50",
        **overrides,
    }


def upload(client, editor, **overrides):
    client.force_login(editor)
    return client.post(reverse("admin:articles_image_add"), image_form(**overrides))


class TestUploading:
    def test_an_image_is_stored_with_its_size_and_resized_copies(self, client, editor, media_root):
        response = upload(client, editor, file=png(), alt_text="A red square")
        assert response.status_code == 302
        image = LibraryImage.objects.get()
        assert (image.width, image.height) == (2000, 1000)
        assert [r["width"] for r in image.renditions] == [480, 800, 1200, 1600]
        for rendition in image.renditions:
            with Image.open(media_root / rendition["name"]) as picture:
                assert picture.format == "WEBP" and picture.width == rendition["width"]
                assert picture.height == rendition["height"]

    def test_a_small_image_is_never_upscaled(self, client, editor):
        upload(client, editor, file=png(600, 400), alt_text="Small")
        assert [r["width"] for r in LibraryImage.objects.get().renditions] == [480]

    def test_alt_text_is_required_with_an_image(self, client, editor):
        response = upload(client, editor, file=png(), alt_text="  ")
        assert response.status_code == 200
        assert "Describe the image" in response.content.decode()
        assert not LibraryImage.objects.exists()

    def test_a_file_that_is_not_an_image_is_refused(self, client, editor):
        fake = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image", content_type="image/png")
        response = upload(client, editor, file=fake, alt_text="x")
        assert response.status_code == 200
        assert "Upload a valid image" in response.content.decode()
        assert not LibraryImage.objects.exists()

    @pytest.mark.parametrize(
        ("kind", "name"),
        [
            ("EPS", "photo.eps"),
            ("EPS", "photo.jpg"),
            ("GIF", "photo.gif"),
            ("TIFF", "photo.png"),
            ("BMP", "photo.webp"),
            ("ICO", "photo.jpg"),
        ],
    )
    def test_an_image_that_is_not_jpeg_png_webp_or_avif_is_refused_by_its_content(
        self, client, editor, media_root, kind, name
    ):
        response = upload(client, editor, file=image_file(kind, name), alt_text="x")
        assert response.status_code == 200
        assert "is not a JPEG, PNG, WEBP or AVIF image" in response.content.decode()
        assert not LibraryImage.objects.exists()
        assert not [path for path in media_root.rglob("*") if path.is_file()]  # no orphan

    @pytest.mark.parametrize(("kind", "name"), [("JPEG", "photo.jpg"), ("WEBP", "photo.png")])
    def test_jpeg_and_webp_are_accepted_whatever_their_name(self, client, editor, kind, name):
        response = upload(client, editor, file=image_file(kind, name), alt_text="x")
        assert response.status_code == 302
        assert LibraryImage.objects.get().width == 600

    def test_avif_is_accepted_when_pillow_reads_it(self, client, editor):
        if "AVIF" not in IMAGE_FORMATS:
            pytest.skip("this Pillow has no AVIF support")
        response = upload(
            client,
            editor,
            file=image_file("AVIF", "photo.avif"),
            alt_text="x",
        )
        assert response.status_code == 302

    def test_a_truncated_png_is_refused(self, client, editor, media_root):
        whole = png().read()
        cut = SimpleUploadedFile("photo.png", whole[: len(whole) // 2], content_type="image/png")
        response = upload(client, editor, file=cut, alt_text="x")
        assert response.status_code == 200 and not LibraryImage.objects.exists()
        assert not [path for path in media_root.rglob("*") if path.is_file()]

    def test_a_file_over_the_size_limit_is_refused(self, client, editor, settings):
        settings.NEWSROOM_MAX_UPLOAD_MB = 0
        response = upload(client, editor, file=png(), alt_text="x")
        assert response.status_code == 200
        assert "images can be up to 0 MB" in response.content.decode()
        assert not LibraryImage.objects.exists()

    def test_the_uploader_and_the_time_are_recorded(self, client, editor):
        upload(client, editor, file=png(), alt_text="Red", credit="Reuters", source="Licensed")
        image = LibraryImage.objects.get()
        assert image.uploaded_by == editor and image.created_at
        assert (image.credit, image.source) == ("Reuters", "Licensed")

    def test_deleting_an_unused_image_removes_its_file_and_copies(self, make_image, media_root):
        image = make_image()
        names = [image.file.name, *(r["name"] for r in image.renditions)]
        names += [c["name"] for label, c in image.crops.items() if label != "focus"]
        assert all((media_root / name).exists() for name in names)
        image.delete()
        assert not any((media_root / name).exists() for name in names)


class TestChoosingFromTheLibrary:
    def test_an_article_takes_its_hero_from_the_library_by_choosing_it(
        self, client, editor, make_category, make_image
    ):
        image = make_image(alt_text="The north stand")
        client.force_login(editor)
        response = client.post(
            reverse("admin:articles_article_add"), article_form(make_category(), hero=image.pk)
        )
        assert response.status_code == 302
        assert Article.objects.get().hero == image

    def test_the_hero_is_chosen_with_a_search_widget_and_previewed_not_a_raw_id(
        self, client, editor, make_article, make_image
    ):
        article = make_article(hero=make_image(alt_text="Fans on the pitch"))
        client.force_login(editor)
        page = client.get(
            reverse("admin:articles_article_change", args=[article.pk])
        ).content.decode()
        select = re.search(r'<select name="hero"[^>]*>', page).group(0)
        assert "admin-autocomplete" in select
        assert 'alt="Fans on the pitch"' in page  # the chosen photo's thumbnail

    def test_the_widget_finds_images_by_alt_text_caption_or_credit(
        self, client, editor, make_image
    ):
        wanted = make_image(alt_text="The winning goal", credit="Ana Photo")
        make_image(alt_text="A council meeting", credit="Agency")
        client.force_login(editor)
        found = client.get(
            "/admin/autocomplete/",
            {
                "app_label": "articles",
                "model_name": "article",
                "field_name": "hero",
                "term": "ana photo",
            },
        ).json()
        assert [result["id"] for result in found["results"]] == [str(wanted.pk)]
        assert found["results"][0]["text"] == "The winning goal (Ana Photo)"

    def test_the_widget_shows_each_photo_beside_its_alt_text_and_credit(
        self, client, editor, make_image, django_assert_num_queries
    ):
        for n in range(3):
            make_image(alt_text=f"Goal number {n}", credit="Ana Photo")
        wanted = LibraryImage.objects.get(alt_text="Goal number 0")
        client.force_login(editor)
        query = {"app_label": "articles", "model_name": "article", "field_name": "hero"}
        # session, editor, their own and their groups' permissions, count, one page of images
        with django_assert_num_queries(6):
            found = client.get("/admin/autocomplete/", {**query, "term": "goal"}).json()
        assert len(found["results"]) == 3
        result = next(r for r in found["results"] if r["id"] == str(wanted.pk))
        assert result["thumbnail"] == wanted.card_url()
        assert result["thumbnail"].startswith("/media/")
        assert result["alt"] == "Goal number 0"
        assert result["credit"] == "Ana Photo"
        assert (result["width"], result["height"]) == (wanted.width, wanted.height)
        assert result["url"] == reverse("admin:articles_image_change", args=[wanted.pk])

    def test_other_searches_keep_the_plain_results(self, client, editor, make_category):
        sport = make_category(name="Sport")
        client.force_login(editor)
        found = client.get(
            "/admin/autocomplete/",
            {"app_label": "articles", "model_name": "article", "field_name": "category"},
        ).json()
        assert found["results"] == [{"id": str(sport.pk), "text": "Sport"}]

    def test_only_the_desk_sees_the_library_s_thumbnails(self, client, make_user, make_image):
        make_image(alt_text="The winning goal")
        query = {"app_label": "articles", "model_name": "article", "field_name": "hero"}
        anonymous = client.get("/admin/autocomplete/", query)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/admin/login/")
        client.force_login(make_user())  # signed in, but not staff
        assert client.get("/admin/autocomplete/", query).status_code == 302
        client.force_login(make_user(is_staff=True))  # staff without the library
        assert client.get("/admin/autocomplete/", query).status_code == 403

    def test_a_chosen_hero_stays_chosen_when_the_form_comes_back_with_errors(
        self, client, editor, make_category, make_image
    ):
        image = make_image(alt_text="The north stand")
        client.force_login(editor)
        response = client.post(
            reverse("admin:articles_article_add"),
            article_form(make_category(), hero=image.pk, headline=""),
        )
        assert response.status_code == 200
        assert not Article.objects.exists()
        page = response.content.decode()
        assert "This field is required." in page
        select = re.search(r'<select name="hero".*?</select>', page, re.S).group(0)
        assert f'<option value="{image.pk}" selected>The north stand (Agency)</option>' in select
        assert 'alt="The north stand"' in page  # its preview, before any save

    def test_stories_sharing_an_image_share_its_copies_made_once(
        self, client, make_article, make_image, media_root
    ):
        image = make_image()
        made = {r["name"]: (media_root / r["name"]).stat().st_mtime_ns for r in image.renditions}
        first = make_article(hero=image)
        second = make_article(hero=image)
        first.save()
        pages = [client.get(a.get_absolute_url()).content.decode() for a in (first, second)]
        assert all(image.srcset() in page for page in pages)
        assert made == {n: (media_root / n).stat().st_mtime_ns for n in made}

    def test_deleting_an_image_a_story_uses_is_refused_with_the_stories(
        self, client, editor, make_article, make_image
    ):
        image = make_image()
        make_article(headline="Derby day", hero=image)
        make_article(headline="Derby day, the reaction", hero=image)
        client.force_login(editor)
        url = reverse("admin:articles_image_delete", args=[image.pk])
        page = client.get(url).content.decode()
        assert "cannot be deleted: these stories use it" in page
        assert "Derby day</a> (hero image)" in page
        assert "Derby day, the reaction</a> (hero image)" in page
        response = client.post(url, {"post": "yes"})
        assert response.status_code == 200  # the same refusal, nothing deleted
        assert LibraryImage.objects.filter(pk=image.pk).exists()

    def test_the_library_lists_thumbnails_and_is_searchable_and_filterable(
        self, client, editor, make_article, make_image
    ):
        used = make_image(alt_text="The winning goal", credit="Ana Photo")
        make_image(alt_text="A council meeting", credit="Agency")
        make_article(hero=used)
        client.force_login(editor)
        url = reverse("admin:articles_image_changelist")
        page = client.get(url).content.decode()
        assert 'alt="The winning goal"' in page and 'class="library-thumbnail"' in page
        found = client.get(url, {"q": "council"}).content.decode()
        assert "A council meeting" in found and "The winning goal" not in found
        in_use = client.get(url, {"used": "yes"}).content.decode()
        assert "The winning goal" in in_use and "A council meeting" not in in_use
        by_credit = client.get(url, {"credit": "Agency"}).content.decode()
        assert "A council meeting" in by_credit and "The winning goal" not in by_credit

    def test_the_image_form_lists_the_stories_that_use_it(
        self, client, editor, make_article, make_image
    ):
        image = make_image()
        make_article(headline="Derby day", hero=image)
        client.force_login(editor)
        page = client.get(reverse("admin:articles_image_change", args=[image.pk]))
        assert "Derby day" in page.content.decode()

    def test_changing_an_image_changes_every_page_that_shows_it(
        self, client, make_article, make_image, django_capture_on_commit_callbacks
    ):
        image = make_image(caption="Before")
        article = make_article(hero=image)
        assert "Before" in client.get(article.get_absolute_url()).content.decode()
        image.caption = "After the final whistle"
        with django_capture_on_commit_callbacks(execute=True):
            image.save()
        assert "After the final whistle" in client.get(article.get_absolute_url()).content.decode()


class TestShowing:
    def test_article_page_gives_size_srcset_alt_caption_and_credit(
        self, client, make_article, make_image
    ):
        article = make_article(
            hero=make_image(
                alt_text="Fans celebrate", caption="The north stand.", credit="Ana Photo"
            )
        )
        page = client.get(article.get_absolute_url()).content.decode()
        img = re.search(r'<figure class="article__hero">\s*<img ([^>]+)>', page).group(1)
        assert 'width="2000"' in img and 'height="1000"' in img
        assert 'alt="Fans celebrate"' in img
        assert "480w" in img and "1600w" in img and "2000w" in img and "sizes=" in img
        assert 'loading="lazy"' not in img  # the hero is above the fold
        assert 'fetchpriority="high"' in img  # and the largest paint
        assert "The north stand." in page and "Photo: Ana Photo" in page

    def test_cards_lazy_load_their_images(self, client, make_article, make_image):
        make_article(headline="Lead", pinned=True)
        make_article(hero=make_image(alt_text="Red"))
        page = client.get("/").content.decode()
        card_image = re.search(r'<a class="card__image"[^>]*><img ([^>]+)>', page).group(1)
        assert 'loading="lazy"' in card_image and 'width="2000"' in card_image
        assert "fetchpriority" not in card_image

    def test_the_lead_image_on_home_is_eager_and_first(self, client, make_article, make_image):
        make_article(headline="Lead", pinned=True, hero=make_image(alt_text="Red"))
        make_article(hero=make_image(alt_text="Blue"))
        page = client.get("/").content.decode()
        images = re.findall(r'<a class="card__image"[^>]*><img ([^>]+)>', page)
        assert 'fetchpriority="high"' in images[0] and "loading=" not in images[0]
        assert all('loading="lazy"' in img and "fetchpriority" not in img for img in images[1:])

    def test_the_first_card_image_of_a_category_page_is_eager_and_first(
        self, client, make_article, make_category, make_image
    ):
        category = make_category()
        for n in range(3):
            make_article(category=category, hero=make_image(alt_text=f"Photo {n}"))
        page = client.get(category.get_absolute_url()).content.decode()
        images = re.findall(r'<a class="card__image"[^>]*><img ([^>]+)>', page)
        assert len(images) == 3
        assert 'fetchpriority="high"' in images[0] and "loading=" not in images[0]
        assert all('loading="lazy"' in img and "fetchpriority" not in img for img in images[1:])

    def test_social_tags_and_structured_data_show_the_crops(self, client, make_article, make_image):
        article = make_article(hero=make_image(alt_text="Red"))
        page = client.get(article.get_absolute_url()).content.decode()
        wide = article.hero.crops["16x9"]
        assert '<meta name="twitter:card" content="summary_large_image">' in page
        assert (
            f'<meta property="og:image" content="http://testserver/media/{wide["name"]}">' in page
        )
        data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S).group(1))
        assert [image["url"] for image in data["image"]] == [
            f"http://testserver/media/{article.hero.crops[label]['name']}"
            for label in ("16x9", "4x3", "1x1")
        ]

    def test_articles_without_an_image_show_no_hero_and_share_their_social_card(
        self, client, make_article
    ):
        article = make_article()
        page = client.get(article.get_absolute_url()).content.decode()
        assert "article__hero" not in page
        assert '<meta name="twitter:card" content="summary_large_image">' in page
        assert f'<meta property="og:image" content="http://testserver/cards/{article.pk}/' in page


def solid(width, height, colour):
    return Image.new("RGB", (width, height), colour)


def photo_with_a_face(width=2000, height=1000, face_at=(0.1, 0.5)):
    """A red picture with a blue "face" (a 100 px square) at ``face_at``
    (fractions of the width and height)."""
    image = solid(width, height, (200, 30, 30))
    x, y = round(width * face_at[0]), round(height * face_at[1])
    image.paste(solid(100, 100, (20, 40, 220)), (x - 50, y - 50))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("face.png", buffer.getvalue(), content_type="image/png")


def shows_the_face(media_root, crop):
    with Image.open(media_root / crop["name"]) as image:
        small = image.convert("RGB").resize((image.width // 10, image.height // 10)).tobytes()
        pixels = zip(small[0::3], small[1::3], small[2::3], strict=True)
        return any(b > 150 and r < 100 for r, _, b in pixels)


class TestCrops:
    def test_a_large_image_gets_16x9_4x3_and_square_jpeg_crops_1200_wide(
        self, make_image, media_root
    ):
        image = make_image(file=png(2000, 1500), alt_text="Red")
        sizes = {
            label: (c["width"], c["height"]) for label, c in image.crops.items() if label != "focus"
        }
        assert sizes == {"16x9": (1200, 675), "4x3": (1200, 900), "1x1": (1200, 1200)}
        for label, crop in image.crops.items():
            if label == "focus":
                continue
            path = media_root / crop["name"]
            assert crop["bytes"] == path.stat().st_size
            with Image.open(path) as picture:
                assert picture.format == "JPEG" and picture.size == (crop["width"], crop["height"])

    def test_crops_of_a_small_image_are_as_wide_as_it_allows_and_never_upscaled(self, make_image):
        image = make_image(file=png(800, 600), alt_text="Red")
        sizes = [
            (image.crops[label]["width"], image.crops[label]["height"])
            for label in ("16x9", "4x3", "1x1")
        ]
        assert sizes == [(800, 450), (800, 600), (600, 600)]

    @pytest.mark.parametrize(
        ("focus", "box"),
        [
            ((50, 50), (500, 0, 1500, 1000)),  # the middle
            ((10, 50), (0, 0, 1000, 1000)),  # near the left edge: as far left as it goes
            ((75, 50), (1000, 0, 2000, 1000)),
            ((100, 0), (1000, 0, 2000, 1000)),
        ],
    )
    def test_a_square_crop_is_centred_on_the_focal_point_within_the_image(self, focus, box):
        assert crop_box(2000, 1000, (1, 1), focus) == box

    def test_the_16x9_crop_of_a_tall_image_keeps_the_focal_point(self):
        assert crop_box(1000, 2000, (16, 9), (50, 20)) == (0, 119, 1000, 681)

    def test_crops_keep_the_face_at_the_focal_point(self, make_image, media_root):
        image = make_image(
            file=photo_with_a_face(face_at=(0.1, 0.5)), alt_text="A face", focus_x=10
        )
        assert shows_the_face(media_root, image.crops["1x1"])
        centred = make_image(file=photo_with_a_face(face_at=(0.1, 0.5)), alt_text="A face")
        assert not shows_the_face(media_root, centred.crops["1x1"])  # the middle cuts it

    def test_moving_the_focal_point_remakes_the_crops(self, make_image, media_root):
        image = make_image(file=photo_with_a_face(face_at=(0.9, 0.5)), alt_text="Face")
        assert not shows_the_face(media_root, image.crops["1x1"])
        renditions = image.renditions
        image.focus_x = 90
        image.save()
        image.refresh_from_db()
        assert image.crops["focus"] == [90, 50]
        assert shows_the_face(media_root, image.crops["1x1"])
        assert image.renditions == renditions  # the srcset copies stay as they were

    def test_editors_set_the_focal_point_on_the_form_and_see_the_crops(self, client, editor):
        response = upload(
            client,
            editor,
            file=png(),
            alt_text="Red",
            focus_x="20",
            focus_y="30",
        )
        assert response.status_code == 302
        image = LibraryImage.objects.get()
        assert image.crops["focus"] == [20, 30]
        page = client.get(reverse("admin:articles_image_change", args=[image.pk])).content.decode()
        assert "percent of the width from the left edge" in page
        for label in ("16x9", "4x3", "1x1"):
            assert f'alt="The {label} crop"' in page

    def test_a_focal_point_past_the_edge_is_refused(self, client, editor):
        response = upload(client, editor, file=png(), alt_text="Red", focus_x="101")
        assert response.status_code == 200
        assert "less than or equal to 100" in response.content.decode()
        assert not LibraryImage.objects.exists()


class TestMakeImageCropsCommand:
    def run(self):
        out, err = io.StringIO(), io.StringIO()
        call_command("make_image_crops", stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_makes_the_crops_images_uploaded_before_crops_lack(self, make_image, media_root):
        image = make_image(file=png(), alt_text="Red")
        made = image.crops
        LibraryImage.objects.filter(pk=image.pk).update(crops={})
        assert self.run()[0] == "Made crops for 1 image(s); 0 could not be read.\n"
        image.refresh_from_db()
        assert image.crops == made
        assert all((media_root / made[label]["name"]).exists() for label in ("16x9", "4x3", "1x1"))
        assert self.run()[0].startswith("Made crops for 0 image(s)")  # nothing left to do

    def test_a_missing_file_is_reported_and_the_others_are_made(self, make_image, media_root):
        lost = make_image(file=png(), alt_text="Lost")
        kept = make_image(file=png(), alt_text="Kept")
        LibraryImage.objects.update(crops={})
        (media_root / lost.file.name).unlink()
        out, err = self.run()
        assert out == "Made crops for 1 image(s); 1 could not be read.\n"
        assert f"image {lost.pk}:" in err
        kept.refresh_from_db()
        assert kept.crops["focus"] == [50, 50]
