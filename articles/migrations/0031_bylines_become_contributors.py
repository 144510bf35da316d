from django.db import migrations
from django.utils.text import slugify

from articles.bylines import join_names, split_names


def bylines_to_contributors(apps, schema_editor):
    """Each name in a text byline becomes a contributor (one per slug, so the
    same reporter on many stories is one person), credited as an author in the
    byline's order."""
    Article = apps.get_model("articles", "Article")
    Contributor = apps.get_model("articles", "Contributor")
    ArticleContributor = apps.get_model("articles", "ArticleContributor")
    people = {}
    for article in Article.objects.exclude(byline="").only("pk", "byline").iterator():
        for order, name in enumerate(split_names(article.byline)):
            slug = slugify(name)[:120] or f"contributor-{len(people) + 1}"
            if slug not in people:
                people[slug], _ = Contributor.objects.get_or_create(
                    slug=slug, defaults={"name": name}
                )
            ArticleContributor.objects.get_or_create(
                article=article, contributor=people[slug], role="author", defaults={"order": order}
            )


def contributors_to_bylines(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleContributor = apps.get_model("articles", "ArticleContributor")
    names = {}
    for credit in (
        ArticleContributor.objects.filter(role="author")
        .select_related("contributor")
        .order_by("article_id", "order", "pk")
    ):
        names.setdefault(credit.article_id, []).append(credit.contributor.name)
    for pk, article_names in names.items():
        Article.objects.filter(pk=pk).update(byline=join_names(article_names)[:120])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0030_contributors_topics_and_article_types"),
    ]

    operations = [migrations.RunPython(bylines_to_contributors, contributors_to_bylines)]
