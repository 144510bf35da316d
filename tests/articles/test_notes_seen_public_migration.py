"""Migration 0040: the notes readers may already have seen are stamped, so
they stay undeletable whatever their story's state now."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.migrating import migrate, schema_before

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0039_body_image_uses_of_existing_articles")]
AFTER = [("articles", "0040_notes_seen_public")]


@pytest.fixture
def old_schema():
    yield from schema_before(BEFORE)


def test_notes_a_revision_or_the_story_shows_public_are_stamped_and_others_not(old_schema):
    Category = old_schema.get_model("articles", "Category")
    Article = old_schema.get_model("articles", "Article")
    ArticleNote = old_schema.get_model("articles", "ArticleNote")
    ArticleRevision = old_schema.get_model("articles", "ArticleRevision")
    news = Category.objects.create(name="News", slug="news")
    now = timezone.now()

    def story(slug, status, published_at):
        return Article.objects.create(
            headline=slug, slug=slug, category=news, status=status, published_at=published_at
        )

    def note(article, days_ago):
        return ArticleNote.objects.create(
            article=article, text="The vote was 7-2.", published_at=now - timedelta(days=days_ago)
        )

    # Live ten days ago, back to draft since: its revision says it was public.
    unpublished = story("unpublished", "draft", now - timedelta(days=20))
    kept_live_at = now - timedelta(days=10)
    ArticleRevision.objects.create(
        article=unpublished,
        number=1,
        action="published",
        snapshot={"status": "published", "published_at": unpublished.published_at.isoformat()},
        created_at=kept_live_at,
    )
    seen_while_live = note(unpublished, days_ago=12)
    added_to_the_draft = note(unpublished, days_ago=2)
    live = story("live", "published", now - timedelta(days=3))
    on_the_live_story = note(live, days_ago=1)
    never_published = story("never-published", "draft", None)
    on_a_draft = note(never_published, days_ago=1)

    apps = migrate(AFTER)
    stamped = dict(
        apps.get_model("articles", "ArticleNote").objects.values_list("pk", "seen_public_at")
    )
    assert stamped[seen_while_live.pk] == kept_live_at
    assert stamped[on_the_live_story.pk] == on_the_live_story.published_at
    assert stamped[added_to_the_draft.pk] is None
    assert stamped[on_a_draft.pk] is None
