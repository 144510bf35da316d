"""Migration 0020: "featured" never expired, so it becomes an expiring pin for
the newest recent featured story, and stops leading for older ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.migrating import migrate, schema_before

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0019_pins_banners_takedowns_expiry_preview_links")]
AFTER = [("articles", "0020_featured_becomes_an_expiring_pin")]


@pytest.fixture
def old_schema():
    yield from schema_before(BEFORE)


def test_the_newest_recent_featured_story_is_pinned_with_an_expiry_and_old_ones_are_not(
    old_schema,
):
    Category = old_schema.get_model("articles", "Category")
    Article = old_schema.get_model("articles", "Article")
    sports = Category.objects.create(name="Sports", slug="sports")
    now = timezone.now()

    def story(slug, age):
        return Article.objects.create(
            headline=slug,
            slug=slug,
            category=sports,
            status="published",
            published_at=now - age,
            featured=True,
        )

    story("nine-months-old", timedelta(days=270))
    recent = story("yesterday", timedelta(days=1))
    apps = migrate(AFTER)
    (pin,) = apps.get_model("articles", "Pin").objects.all()
    assert pin.article_id == recent.pk and pin.slot == 1 and pin.category_id is None
    assert now < pin.expires_at <= now + timedelta(days=1, minutes=5)


def test_nothing_is_pinned_when_every_featured_story_is_old(old_schema):
    Category = old_schema.get_model("articles", "Category")
    Article = old_schema.get_model("articles", "Article")
    sports = Category.objects.create(name="Sports", slug="sports")
    Article.objects.create(
        headline="Old",
        slug="old",
        category=sports,
        status="published",
        published_at=timezone.now() - timedelta(days=270),
        featured=True,
    )
    apps = migrate(AFTER)
    assert not apps.get_model("articles", "Pin").objects.exists()
