from django.contrib.auth.management import create_permissions
from django.db import migrations

SANCTION_PERMISSIONS = [
    "view_sanction",
    "add_sanction",
    "change_sanction",
    "view_moderationevent",
]


def let_editors_sanction(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="comments", codename__in=SANCTION_PERMISSIONS
        )
    )


def stop_editors_sanctioning(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="comments", codename__in=SANCTION_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    """Editors moderate comments; sanctioning authors and reading the audit trail
    is part of it."""

    dependencies = [("comments", "0011_verified_emails")]

    operations = [migrations.RunPython(let_editors_sanction, stop_editors_sanctioning)]
