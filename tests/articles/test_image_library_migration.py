"""Hero images uploaded per article before the library move into it, files,
words and copies kept."""

import pytest
from django.utils import timezone

from tests.migrating import migrate, schema_before

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0024_image_library")]
AFTER = [("articles", "0025_hero_images_into_the_library")]


@pytest.fixture
def old_apps():
    yield from schema_before(BEFORE)


def test_an_articles_hero_becomes_a_library_image_with_its_words_and_copies(old_apps):
    Category = old_apps.get_model("articles", "Category")
    Article = old_apps.get_model("articles", "Article")
    category = Category.objects.create(name="Sport", slug="sport")
    crops = {"focus": [30, 40], "1x1": {"name": "articles/2026/05/goal-1x1.jpg"}}
    renditions = [{"width": 480, "height": 270, "name": "articles/2026/05/goal-480.webp"}]
    fields = {"category": category, "status": "published", "published_at": timezone.now()}
    Article.objects.create(
        headline="Derby day",
        slug="derby-day",
        hero_image="articles/2026/05/goal.jpg",
        hero_alt="The winning goal",
        hero_caption="In the 90th minute.",
        hero_credit="Ana Photo",
        hero_focus_x=30,
        hero_focus_y=40,
        hero_width=1600,
        hero_height=900,
        hero_renditions=renditions,
        hero_crops=crops,
        **fields,
    )
    Article.objects.create(headline="No photo", slug="no-photo", **fields)

    new_apps = migrate(AFTER)
    Image = new_apps.get_model("articles", "Image")
    (image,) = Image.objects.all()
    assert image.file.name == "articles/2026/05/goal.jpg"  # the file stays where it is
    assert (image.alt_text, image.caption, image.credit) == (
        "The winning goal",
        "In the 90th minute.",
        "Ana Photo",
    )
    assert (image.focus_x, image.focus_y, image.width, image.height) == (30, 40, 1600, 900)
    assert image.renditions == renditions and image.crops == crops
    heroes = dict(new_apps.get_model("articles", "Article").objects.values_list("slug", "hero"))
    assert heroes == {"derby-day": image.pk, "no-photo": None}
