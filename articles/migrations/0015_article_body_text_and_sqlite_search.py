"""Search on both databases from the body's plain text.

Adds ``body_text`` (the body's words, derived on save) and fills it for the
articles already there; on PostgreSQL the stored search vector is rebuilt from
it; on SQLite the FTS5 index and the triggers that keep it in step are created
and filled (articles.search). Each step does nothing on the other database.
"""

import articles.search
import django.db.models.deletion
from django.db import migrations, models


def fill_body_text(apps, schema_editor):
    from articles.search import plain_text

    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("pk", "body").iterator():
        Article.objects.filter(pk=article.pk).update(body_text=plain_text(article.body))


def index_body_text(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        from articles.search import search_vector

        apps.get_model("articles", "Article").objects.update(search_document=search_vector())
    else:
        from articles.search import ensure_sqlite_index

        ensure_sqlite_index(connection)


def index_body(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchVector

        apps.get_model("articles", "Article").objects.update(
            search_document=SearchVector("headline", weight="A", config="english")
            + SearchVector("standfirst", weight="B", config="english")
            + SearchVector("body", weight="C", config="english")
        )
    else:
        from articles.search import drop_sqlite_index

        drop_sqlite_index(connection)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0014_hero_image_content'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('article', models.OneToOneField(db_column='id', on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_entry', serialize=False, to='articles.article')),
                ('document', articles.search.FullTextField(db_column='article_fts')),
            ],
            options={
                'db_table': 'article_fts',
                'managed': False,
            },
        ),
        migrations.AddField(
            model_name='article',
            name='body_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.RunPython(fill_body_text, migrations.RunPython.noop),
        migrations.RunPython(index_body_text, index_body),
    ]
