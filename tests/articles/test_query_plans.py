"""The hot queries can use their indexes (PostgreSQL).

With a handful of rows the planner rightly prefers a sequential scan, so each
plan is taken with sequential scans priced out: what is checked is that an
index exists that serves the query, not the planner's cost model.
"""

import os

import pytest
from django.db import connection

from articles.models import Article

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"
    ),
]


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_home_listing_uses_the_status_date_index(make_article):
    make_article()
    assert "article_status_published" in plan(Article.objects.published().for_listing()[:10])


def test_category_listing_uses_the_category_index(make_article, make_category):
    categories = [make_category() for _ in range(6)]
    template = make_article()
    Article.objects.bulk_create(
        Article(
            headline=f"Story {n}",
            slug=f"story-{n}",
            category=categories[n % 6],
            status="published",
            published_at=template.published_at,
        )
        for n in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    queryset = Article.objects.published().for_listing().filter(category=categories[0])[:20]
    text = plan(queryset)
    assert "article_category_published" in text, text


def test_article_lookup_uses_the_unique_slug_index(make_article):
    make_article(slug="hot-story")
    assert "articles_article_slug" in plan(Article.objects.filter(slug="hot-story"))


def test_connections_do_not_jit_compile_the_sites_short_queries():
    """A correlated count per row makes cost estimates high enough to trigger JIT,
    which spent a second compiling a front-page query that runs in milliseconds."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
