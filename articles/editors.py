"""The Editors group: who may run the desk.

Editors manage the newsroom's content (categories, articles, sources, notes,
contributors, topics, front-page pins, banners, preview links, images),
moderate comments, sanction authors, read the audit trail and set the
discussion settings, but not user accounts or groups. The group is made by a
data migration and made whole again after every migrate, since a database
flush (tests, `manage.py flush`) empties it.
"""

EDITORS = "Editors"
EDITOR_PERMISSIONS = {
    "articles": [
        "category",
        "article",
        "source",
        "articlenote",
        "editorialsettings",
        "pin",
        "banner",
        "previewlink",
        "image",
        "contributor",
        "articlecontributor",
        "topic",
    ],
    "pages": ["page"],
    "comments": [
        "view_comment",
        "change_comment",
        "delete_comment",
        "moderate_comment",
        "view_commentreport",
        "view_discussionsettings",
        "change_discussionsettings",
        "view_sanction",
        "add_sanction",
        "change_sanction",  # lifting
        "view_moderationevent",
    ],
}


def editor_permissions(Permission):
    """The permissions Editors hold, from the given Permission model (real or historical)."""
    from django.db.models import Q

    wanted = Q()
    for app_label, entries in EDITOR_PERMISSIONS.items():
        models = [e for e in entries if "_" not in e]
        codenames = [e for e in entries if "_" in e]
        if models:
            wanted |= Q(content_type__app_label=app_label, content_type__model__in=models)
        if codenames:
            wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    return Permission.objects.filter(wanted)


def ensure_editors_group(Group, Permission):
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(*editor_permissions(Permission))
    return group


def ensure_after_migrate(sender, **kwargs):
    """post_migrate receiver (sent once per app): grants whatever permissions exist by now."""
    from django.contrib.auth.models import Group, Permission

    ensure_editors_group(Group, Permission)


def locked_out(request, original_response=None, credentials=None):
    """The page django-axes shows a sign-in refused after too many failures
    (``AXES_LOCKOUT_CALLABLE``): what happened and how long to wait, as 429."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(
        request,
        "admin/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
