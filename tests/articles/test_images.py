"""Hero images: what an editor uploads, and what a reader's browser is given."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.images import IMAGE_FORMATS
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

    def test_social_cards_and_structured_data_use_the_image(self, client, make_article):
        article = make_article(hero_image=png(), hero_alt="Red")
        page = client.get(article.get_absolute_url()).content.decode()
        assert '<meta name="twitter:card" content="summary_large_image">' in page
        assert (
            f'<meta property="og:image" content="http://testserver{article.hero_image.url}">'
            in page
        )
        data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S).group(1))
        assert data["image"] == [f"http://testserver{article.hero_image.url}"]

    def test_articles_without_an_image_show_none(self, client, make_article):
        page = client.get(make_article().get_absolute_url()).content.decode()
        assert "article__hero" not in page
        assert '<meta name="twitter:card" content="summary">' in page
