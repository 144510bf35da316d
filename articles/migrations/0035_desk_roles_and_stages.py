from django.contrib.auth.management import create_permissions
from django.db import migrations

from articles.editors import ensure_roles


def make_roles(apps, schema_editor):
    # Permissions are normally made after migrate finishes; make them now
    # (publish_article among them) so the groups can be given them here.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_new_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Reporters", "Administrators"]
    ).delete()


def published_stories_are_at_the_published_stage(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.filter(status="published").update(workflow_state="published")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0034_article_desk_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(make_roles, remove_new_roles),
        migrations.RunPython(published_stories_are_at_the_published_stage, migrations.RunPython.noop),
    ]
