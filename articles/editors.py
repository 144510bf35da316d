"""The desk's roles, as groups: who may do what.

- Reporters write and submit stories (add and change articles, their sources
  and credits, and add photos to the library) but cannot publish:
  ``articles.publish_article`` is what they lack, and the server refuses a
  publish from them however it is sent (``articles.workflow``). A story that is
  live or scheduled is read-only to them.
- Editors manage the newsroom's content (categories, articles, sources, notes,
  contributors, topics, front-page pins, banners, preview links, images,
  live coverage entries),
  publish, approve and send stories back, moderate comments, sanction authors,
  read the audit trail and set the discussion settings, but not user accounts
  or groups.
- Administrators are Editors who also manage people: accounts and groups.

The groups are made by data migrations and made whole again after every
migrate, since a database flush (tests, `manage.py flush`) empties them.
"""

EDITORS = "Editors"
REPORTERS = "Reporters"
ADMINISTRATORS = "Administrators"

EDITOR_PERMISSIONS = {
    # A model name grants all its permissions (publish_article among them).
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
    "live": ["liveentry"],
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
ROLE_PERMISSIONS = {
    REPORTERS: {
        "articles": [
            "view_category",
            "add_article",
            "change_article",
            "view_article",
            "source",
            "view_articlenote",
            "view_image",
            "add_image",
            "view_contributor",
            "articlecontributor",
            "view_topic",
        ],
    },
    EDITORS: EDITOR_PERMISSIONS,
    ADMINISTRATORS: {**EDITOR_PERMISSIONS, "auth": ["user", "group"]},
}


def role_permissions(Permission, role):
    """The permissions ``role`` holds, from the given Permission model (real or historical)."""
    from django.db.models import Q

    wanted = Q(pk__in=[])
    for app_label, entries in ROLE_PERMISSIONS[role].items():
        models = [e for e in entries if "_" not in e]
        codenames = [e for e in entries if "_" in e]
        if models:
            wanted |= Q(content_type__app_label=app_label, content_type__model__in=models)
        if codenames:
            wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    return Permission.objects.filter(wanted)


def ensure_roles(Group, Permission):
    """Make each role's group and grant it its permissions; returns {name: group}."""
    groups = {}
    for role in ROLE_PERMISSIONS:
        groups[role], _ = Group.objects.get_or_create(name=role)
        groups[role].permissions.add(*role_permissions(Permission, role))
    return groups


def ensure_after_migrate(sender, **kwargs):
    """post_migrate receiver (sent once per app): grants whatever permissions exist by now."""
    from django.contrib.auth.models import Group, Permission

    ensure_roles(Group, Permission)


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
