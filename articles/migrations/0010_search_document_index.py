"""Search from the stored vector (PostgreSQL only; SQLite searches without one).

Replaces the expression index of 0006 with a GIN index on the stored
search_document column, and fills that column for the articles already there.
"""

from django.db import migrations

INDEX_NAME = "article_search"


def _search_vector():
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("headline", weight="A", config="english")
        + SearchVector("standfirst", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )


def use_stored_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex

    Article = apps.get_model("articles", "Article")
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
    Article.objects.update(search_document=_search_vector())
    schema_editor.add_index(Article, GinIndex(fields=["search_document"], name=INDEX_NAME))


def use_expression_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex

    Article = apps.get_model("articles", "Article")
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
    schema_editor.add_index(Article, GinIndex(_search_vector(), name=INDEX_NAME))


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_article_search_document")]

    operations = [migrations.RunPython(use_stored_vector, use_expression_index)]
