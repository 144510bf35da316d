"""Every article written before revisions were kept gets its first revision
now, as it stands, so its history starts with a version that can be compared
and restored."""

from django.db import migrations


def keep_first_revisions(apps, schema_editor):
    from articles.revisions import snapshot

    Article = apps.get_model("articles", "Article")
    ArticleRevision = apps.get_model("articles", "ArticleRevision")
    articles = Article.objects.filter(revisions__isnull=True).select_related("category", "author")
    for article in articles.iterator(chunk_size=200):
        ArticleRevision.objects.create(
            article=article,
            number=1,
            action="created",
            snapshot=snapshot(article),
            created_by=article.author,
            created_at=article.created_at,
            note="The version kept when revisions began.",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0022_article_revisions"),
    ]

    operations = [
        migrations.RunPython(keep_first_revisions, migrations.RunPython.noop),
    ]
