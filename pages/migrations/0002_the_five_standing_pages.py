from django.db import migrations

from pages.standing import PAGES, ensure_standing_pages


def create_pages(apps, schema_editor):
    ensure_standing_pages(apps.get_model("pages", "Page"))


def remove_pages(apps, schema_editor):
    apps.get_model("pages", "Page").objects.filter(slug__in=[p[0] for p in PAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_standing_pages")]

    operations = [migrations.RunPython(create_pages, remove_pages)]
