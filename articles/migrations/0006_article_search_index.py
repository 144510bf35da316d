"""A GIN index for full-text search, on PostgreSQL only (SQLite searches without one).

The index is built from the same expression the search queries used then, so
the planner could use it (0010 replaced it by an index on a stored vector).
"""

from django.db import migrations

INDEX_NAME = "article_search"


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    search_vector = (
        SearchVector("headline", weight="A", config="english")
        + SearchVector("standfirst", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    return GinIndex(search_vector, name=INDEX_NAME)


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), _index())


def remove_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), _index())


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_view_tally")]

    operations = [migrations.RunPython(add_search_index, remove_search_index)]
