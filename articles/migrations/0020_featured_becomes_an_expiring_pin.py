"""The "featured" flag never expired, so a months-old story could lead the
home page. Pins replace it: the newest featured story published in the last
two days keeps the lead as the home page's slot 1 for one more day; older
featured stories simply stop leading (the flag is dropped in 0021)."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

RECENT = timedelta(days=2)
KEEP_FOR = timedelta(days=1)


def featured_to_pin(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Pin = apps.get_model("articles", "Pin")
    now = timezone.now()
    lead = (
        Article.objects.filter(
            featured=True,
            status="published",
            published_at__lte=now,
            published_at__gte=now - RECENT,
        )
        .order_by("-published_at", "-pk")
        .first()
    )
    if lead is not None and not Pin.objects.filter(category=None, slot=1).exists():
        Pin.objects.create(article=lead, category=None, slot=1, expires_at=now + KEEP_FOR)


def pins_to_featured(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Pin = apps.get_model("articles", "Pin")
    pinned = Pin.objects.filter(category=None).values("article_id")
    Article.objects.filter(pk__in=pinned).update(featured=True)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_pins_banners_takedowns_expiry_preview_links"),
    ]

    operations = [migrations.RunPython(featured_to_pin, pins_to_featured)]
