"""Migration 0031: text bylines become contributors credited in the byline's order,
one contributor per person however many stories they wrote."""

import pytest
from django.utils import timezone

from tests.migrating import migrate, schema_before

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("articles", "0030_contributors_topics_and_article_types")]
AFTER = [("articles", "0031_bylines_become_contributors")]


@pytest.fixture
def old_schema():
    yield from schema_before(BEFORE)


def test_each_name_becomes_one_contributor_credited_in_the_bylines_order(old_schema):
    Category = old_schema.get_model("articles", "Category")
    Article = old_schema.get_model("articles", "Article")
    sports = Category.objects.create(name="Sports", slug="sports")

    def story(slug, byline):
        return Article.objects.create(
            headline=slug,
            slug=slug,
            category=sports,
            status="published",
            published_at=timezone.now(),
            byline=byline,
        )

    pair = story("derby", "Marta Rossi and Luca Bianchi")
    alone = story("preview", "Luca Bianchi")
    trio = story("final", "Ana Lima, Ben Okafor and Marta Rossi")
    unsigned = story("wire", "")

    apps = migrate(AFTER)
    Contributor = apps.get_model("articles", "Contributor")
    ArticleContributor = apps.get_model("articles", "ArticleContributor")

    assert sorted(Contributor.objects.values_list("slug", flat=True)) == [
        "ana-lima",
        "ben-okafor",
        "luca-bianchi",
        "marta-rossi",
    ]

    def credited(article):
        return list(
            ArticleContributor.objects.filter(article_id=article.pk)
            .order_by("order")
            .values_list("contributor__name", "role")
        )

    assert credited(pair) == [("Marta Rossi", "author"), ("Luca Bianchi", "author")]
    assert credited(alone) == [("Luca Bianchi", "author")]
    assert credited(trio) == [
        ("Ana Lima", "author"),
        ("Ben Okafor", "author"),
        ("Marta Rossi", "author"),
    ]
    assert credited(unsigned) == []
