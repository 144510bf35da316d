"""Hero images: what an editor uploads, and what a reader's browser is given."""

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


def upload(client, editor, category, **overrides):
    client.force_login(editor)
    return client.post(reverse("admin:articles_article_add"), article_form(category, **overrides))


class TestUploading:
    def test_an_image_is_stored_with_its_size_and_resized_copies(
        self, client, editor, make_category, media_root
    ):
        response = upload(
            client, editor, make_category(), hero_image=png(), hero_alt="A red square"
        )
        assert response.status_code == 302
        article = Article.objects.get()
        assert (article.hero_width, article.hero_height) == (2000, 1000)
        assert [r["width"] for r in article.hero_renditions] == [480, 800, 1200, 1600]
        for rendition in article.hero_renditions:
            with Image.open(media_root / rendition["name"]) as image:
                assert image.format == "WEBP" and image.width == rendition["width"]
                assert image.height == rendition["height"]

    def test_a_small_image_is_never_upscaled(self, client, editor, make_category):
        upload(client, editor, make_category(), hero_image=png(600, 400), hero_alt="Small")
        assert [r["width"] for r in Article.objects.get().hero_renditions] == [480]

    def test_alt_text_is_required_with_an_image(self, client, editor, make_category):
        response = upload(client, editor, make_category(), hero_image=png(), hero_alt="  ")
        assert response.status_code == 200
        assert "Describe the image" in response.content.decode()
        assert not Article.objects.exists()

    def test_an_image_chosen_on_a_form_with_errors_is_called_out_not_dropped_silently(
        self, client, editor, make_category
    ):
        response = upload(
            client, editor, make_category(), hero_image=png(name="harbour.png"), headline=""
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "“harbour.png” was not saved, because of the errors on this form" in page
        assert "choose it again before you save" in page
        assert not Article.objects.exists()

    def test_a_file_that_is_not_an_image_is_refused(self, client, editor, make_category):
        fake = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image", content_type="image/png")
        response = upload(client, editor, make_category(), hero_image=fake, hero_alt="x")
        assert response.status_code == 200
        assert "Upload a valid image" in response.content.decode()
        assert not Article.objects.exists()

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
        self, client, editor, make_category, media_root, kind, name
    ):
        response = upload(
            client, editor, make_category(), hero_image=image_file(kind, name), hero_alt="x"
        )
        assert response.status_code == 200
        assert "is not a JPEG, PNG, WEBP or AVIF image" in response.content.decode()
        assert not Article.objects.exists()
        assert not [path for path in media_root.rglob("*") if path.is_file()]  # no orphan

    @pytest.mark.parametrize(("kind", "name"), [("JPEG", "photo.jpg"), ("WEBP", "photo.png")])
    def test_jpeg_and_webp_are_accepted_whatever_their_name(
        self, client, editor, make_category, kind, name
    ):
        response = upload(
            client, editor, make_category(), hero_image=image_file(kind, name), hero_alt="x"
        )
        assert response.status_code == 302
        assert Article.objects.get().hero_width == 600

    def test_avif_is_accepted_when_pillow_reads_it(self, client, editor, make_category):
        if "AVIF" not in IMAGE_FORMATS:
            pytest.skip("this Pillow has no AVIF support")
        response = upload(
            client,
            editor,
            make_category(),
            hero_image=image_file("AVIF", "photo.avif"),
            hero_alt="x",
        )
        assert response.status_code == 302

    def test_a_truncated_png_is_refused(self, client, editor, make_category, media_root):
        whole = png().read()
        cut = SimpleUploadedFile("photo.png", whole[: len(whole) // 2], content_type="image/png")
        response = upload(client, editor, make_category(), hero_image=cut, hero_alt="x")
        assert response.status_code == 200 and not Article.objects.exists()
        assert not [path for path in media_root.rglob("*") if path.is_file()]

    def test_an_article_with_an_image_is_edited_without_uploading_it_again(
        self, client, editor, make_category
    ):
        category = make_category()
        upload(client, editor, category, hero_image=png(), hero_alt="Red")
        article = Article.objects.get()
        response = client.post(
            reverse("admin:articles_article_change", args=[article.pk]),
            article_form(category, headline="Budget day, explained again", hero_alt="Red"),
        )
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.headline == "Budget day, explained again"
        assert article.hero_width == 2000

    def test_a_file_over_the_size_limit_is_refused(self, client, editor, make_category, settings):
        settings.NEWSROOM_MAX_UPLOAD_MB = 0
        response = upload(client, editor, make_category(), hero_image=png(), hero_alt="x")
        assert response.status_code == 200
        assert "images can be up to 0 MB" in response.content.decode()
        assert not Article.objects.exists()

    def test_clearing_the_image_removes_its_copies(self, make_article, media_root):
        article = make_article(hero_image=png(), hero_alt="Red")
        names = [r["name"] for r in article.hero_renditions]
        assert all((media_root / name).exists() for name in names)
        article.hero_image = None
        article.save()
        assert article.hero_renditions == []
        assert not any((media_root / name).exists() for name in names)


class TestShowing:
    def test_article_page_gives_size_srcset_alt_caption_and_credit(self, client, make_article):
        article = make_article(
            hero_image=png(),
            hero_alt="Fans celebrate",
            hero_caption="The north stand.",
            hero_credit="Ana Photo",
        )
        page = client.get(article.get_absolute_url()).content.decode()
        img = re.search(r'<figure class="article__hero">\s*<img ([^>]+)>', page).group(1)
        assert 'width="2000"' in img and 'height="1000"' in img
        assert 'alt="Fans celebrate"' in img
        assert "480w" in img and "1600w" in img and "2000w" in img and "sizes=" in img
        assert 'loading="lazy"' not in img  # the hero is above the fold
        assert 'fetchpriority="high"' in img  # and the largest paint
        assert "The north stand." in page and "Photo: Ana Photo" in page

    def test_cards_lazy_load_their_images(self, client, make_article):
        make_article(headline="Lead", featured=True)
        make_article(hero_image=png(), hero_alt="Red")
        page = client.get("/").content.decode()
        card_image = re.search(r'<a class="card__image"[^>]*><img ([^>]+)>', page).group(1)
        assert 'loading="lazy"' in card_image and 'width="2000"' in card_image
        assert "fetchpriority" not in card_image

    def test_the_lead_image_on_home_is_eager_and_first(self, client, make_article):
        make_article(headline="Lead", featured=True, hero_image=png(), hero_alt="Red")
        make_article(hero_image=png(), hero_alt="Blue")
        page = client.get("/").content.decode()
        images = re.findall(r'<a class="card__image"[^>]*><img ([^>]+)>', page)
        assert 'fetchpriority="high"' in images[0] and "loading=" not in images[0]
        assert all('loading="lazy"' in img and "fetchpriority" not in img for img in images[1:])

    def test_the_first_card_image_of_a_category_page_is_eager_and_first(
        self, client, make_article, make_category
    ):
        category = make_category()
        for n in range(3):
            make_article(category=category, hero_image=png(), hero_alt=f"Photo {n}")
        page = client.get(category.get_absolute_url()).content.decode()
        images = re.findall(r'<a class="card__image"[^>]*><img ([^>]+)>', page)
        assert len(images) == 3
        assert 'fetchpriority="high"' in images[0] and "loading=" not in images[0]
        assert all('loading="lazy"' in img and "fetchpriority" not in img for img in images[1:])

    def test_social_tags_and_structured_data_show_the_hero_crops(self, client, make_article):
        article = make_article(hero_image=png(), hero_alt="Red")
        page = client.get(article.get_absolute_url()).content.decode()
        wide = article.hero_crops["16x9"]
        assert '<meta name="twitter:card" content="summary_large_image">' in page
        assert (
            f'<meta property="og:image" content="http://testserver/media/{wide["name"]}">' in page
        )
        data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S).group(1))
        assert [image["url"] for image in data["image"]] == [
            f"http://testserver/media/{article.hero_crops[label]['name']}"
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
        self, make_article, media_root
    ):
        article = make_article(hero_image=png(2000, 1500), hero_alt="Red")
        sizes = {
            label: (c["width"], c["height"])
            for label, c in article.hero_crops.items()
            if label != "focus"
        }
        assert sizes == {"16x9": (1200, 675), "4x3": (1200, 900), "1x1": (1200, 1200)}
        for label, crop in article.hero_crops.items():
            if label == "focus":
                continue
            path = media_root / crop["name"]
            assert crop["bytes"] == path.stat().st_size
            with Image.open(path) as image:
                assert image.format == "JPEG" and image.size == (crop["width"], crop["height"])

    def test_crops_of_a_small_image_are_as_wide_as_it_allows_and_never_upscaled(self, make_article):
        article = make_article(hero_image=png(800, 600), hero_alt="Red")
        sizes = [
            (article.hero_crops[label]["width"], article.hero_crops[label]["height"])
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

    def test_crops_keep_the_face_at_the_focal_point(self, make_article, media_root):
        article = make_article(
            hero_image=photo_with_a_face(face_at=(0.1, 0.5)), hero_alt="A face", hero_focus_x=10
        )
        assert shows_the_face(media_root, article.hero_crops["1x1"])
        centred = make_article(hero_image=photo_with_a_face(face_at=(0.1, 0.5)), hero_alt="A face")
        assert not shows_the_face(media_root, centred.hero_crops["1x1"])  # the middle cuts it

    def test_moving_the_focal_point_remakes_the_crops(self, make_article, media_root):
        article = make_article(hero_image=photo_with_a_face(face_at=(0.9, 0.5)), hero_alt="Face")
        assert not shows_the_face(media_root, article.hero_crops["1x1"])
        renditions = article.hero_renditions
        article.hero_focus_x = 90
        article.save()
        article.refresh_from_db()
        assert article.hero_crops["focus"] == [90, 50]
        assert shows_the_face(media_root, article.hero_crops["1x1"])
        assert article.hero_renditions == renditions  # the srcset copies stay as they were

    def test_clearing_the_image_removes_its_crops(self, make_article, media_root):
        article = make_article(hero_image=png(), hero_alt="Red")
        names = [c["name"] for label, c in article.hero_crops.items() if label != "focus"]
        assert all((media_root / name).exists() for name in names)
        article.hero_image = None
        article.save()
        assert article.hero_crops == {}
        assert not any((media_root / name).exists() for name in names)

    def test_editors_set_the_focal_point_on_the_form_and_see_the_crops(
        self, client, editor, make_category
    ):
        response = upload(
            client,
            editor,
            make_category(),
            hero_image=png(),
            hero_alt="Red",
            hero_focus_x="20",
            hero_focus_y="30",
        )
        assert response.status_code == 302
        article = Article.objects.get()
        assert article.hero_crops["focus"] == [20, 30]
        page = client.get(
            reverse("admin:articles_article_change", args=[article.pk])
        ).content.decode()
        assert "percent of the width from the left edge" in page
        for label in ("16x9", "4x3", "1x1"):
            assert f'alt="The {label} crop"' in page

    def test_a_focal_point_past_the_edge_is_refused(self, client, editor, make_category):
        response = upload(
            client, editor, make_category(), hero_image=png(), hero_alt="Red", hero_focus_x="101"
        )
        assert response.status_code == 200
        assert "less than or equal to 100" in response.content.decode()
        assert not Article.objects.exists()


class TestMakeImageCropsCommand:
    def run(self):
        out, err = io.StringIO(), io.StringIO()
        call_command("make_image_crops", stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_makes_the_crops_images_uploaded_before_crops_lack(self, make_article, media_root):
        article = make_article(hero_image=png(), hero_alt="Red")
        made = article.hero_crops
        Article.objects.filter(pk=article.pk).update(hero_crops={})
        assert self.run()[0] == "Made crops for 1 hero image(s); 0 could not be read.\n"
        article.refresh_from_db()
        assert article.hero_crops == made
        assert all((media_root / made[label]["name"]).exists() for label in ("16x9", "4x3", "1x1"))
        assert self.run()[0].startswith("Made crops for 0 hero image(s)")  # nothing left to do

    def test_a_missing_file_is_reported_and_the_others_are_made(self, make_article, media_root):
        lost = make_article(hero_image=png(), hero_alt="Lost")
        kept = make_article(hero_image=png(), hero_alt="Kept")
        Article.objects.update(hero_crops={})
        (media_root / lost.hero_image.name).unlink()
        out, err = self.run()
        assert out == "Made crops for 1 hero image(s); 1 could not be read.\n"
        assert f"article {lost.pk}:" in err
        kept.refresh_from_db()
        assert kept.hero_crops["focus"] == [50, 50]
