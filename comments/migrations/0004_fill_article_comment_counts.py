from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_counts(apps, schema_editor):
    """Count every article's visible (approved) comments once; from now on the
    comments app keeps the count as comments change (comments.threads)."""
    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("comments", "Comment")
    visible = (
        Comment.objects.filter(article=OuterRef("pk"), status="approved")
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Article.objects.update(comment_count=Coalesce(Subquery(visible), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_article_comment_count"),
        ("comments", "0003_drop_redundant_fk_indexes"),
    ]

    operations = [migrations.RunPython(fill_counts, migrations.RunPython.noop)]
