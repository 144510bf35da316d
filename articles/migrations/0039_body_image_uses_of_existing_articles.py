"""The photos and galleries of every body written before their uses were
recorded are recorded now, so an image a story shows only in its body is
protected from deletion from the start. An id that names no library image is
left out, as ``Article.save`` leaves it out."""

from django.db import migrations
from django.db.models import Q


def record_existing_uses(apps, schema_editor):
    from articles.body import image_uses

    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("articles", "Image")
    BodyImageUse = apps.get_model("articles", "BodyImageUse")
    with_images = Q(body__contains="<figure data-image=") | Q(body__contains="<figure data-gallery=")
    bodies = Article.objects.filter(with_images).values_list("pk", "body")
    shown = [(article, pk, kind) for article, body in bodies.iterator(chunk_size=500) for pk, kind in image_uses(body)]
    existing = set(Image.objects.values_list("pk", flat=True))
    BodyImageUse.objects.bulk_create(
        (
            BodyImageUse(article_id=article, image_id=pk, kind=kind)
            for article, pk, kind in shown
            if pk in existing
        ),
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0038_body_image_uses"),
    ]

    operations = [
        migrations.RunPython(record_existing_uses, migrations.RunPython.noop),
    ]
