"""Bodies written before their images' uses were recorded get them recorded,
so those images are protected from deletion from the start."""

import pytest
from django.utils import timezone

from tests.migrating import migrate, schema_before

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0038_body_image_uses")]
AFTER = [("articles", "0039_body_image_uses_of_existing_articles")]


@pytest.fixture
def old_apps():
    yield from schema_before(BEFORE)


def test_the_photos_and_galleries_of_existing_bodies_are_recorded(old_apps):
    Category = old_apps.get_model("articles", "Category")
    Article = old_apps.get_model("articles", "Article")
    Image = old_apps.get_model("articles", "Image")
    category = Category.objects.create(name="Sport", slug="sport")
    goal, crowd = (
        Image.objects.create(
            file=f"images/2026/05/{name}.png", alt_text=name, width=2000, height=1000
        )
        for name in ("goal", "crowd")
    )
    fields = {"category": category, "status": "published", "published_at": timezone.now()}
    derby = Article.objects.create(
        headline="Derby day",
        slug="derby-day",
        body=f'<p>Text.</p><figure data-image="{goal.pk}" data-layout="inline"></figure>'
        f'<figure data-gallery="{crowd.pk},{goal.pk},999999"></figure>',
        **fields,
    )
    Article.objects.create(headline="No photo", slug="no-photo", body="<p>Text.</p>", **fields)

    new_apps = migrate(AFTER)
    uses = new_apps.get_model("articles", "BodyImageUse").objects
    assert sorted(uses.values_list("article_id", "image_id", "kind")) == sorted(
        [
            (derby.pk, goal.pk, "photo"),
            (derby.pk, crowd.pk, "gallery"),
            (derby.pk, goal.pk, "gallery"),
        ]
    )
