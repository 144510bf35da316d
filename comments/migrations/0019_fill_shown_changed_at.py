"""Comments already visible were shown when they were approved, or when they were
posted if no moderator decided on them: live updates start from that time."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.filter(status="approved", shown_changed_at__isnull=True).update(
        shown_changed_at=Coalesce(F("moderated_at"), F("created_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0018_comment_shown_changed_at"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
