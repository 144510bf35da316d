from django.contrib.auth.management import create_permissions
from django.db import migrations

COMMENT_PERMISSIONS = [
    "view_comment",
    "change_comment",
    "delete_comment",
    "moderate_comment",
    "view_commentreport",
]


def let_editors_moderate(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="comments", codename__in=COMMENT_PERMISSIONS
        )
    )


def stop_editors_moderating(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="comments")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(let_editors_moderate, stop_editors_moderating)]
