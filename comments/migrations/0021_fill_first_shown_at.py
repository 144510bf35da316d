"""Comments visible now first appeared no later than their last shown change:
an edit made after this counts as an edit, not a new comment."""

from django.db import migrations
from django.db.models import F


def fill(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.filter(status="approved", first_shown_at__isnull=True).update(
        first_shown_at=F("shown_changed_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0020_comment_first_shown_at"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
