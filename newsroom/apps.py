from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    """Django's admin, with the desk's site as ``admin.site``."""

    default_site = "newsroom.admin_site.DeskAdminSite"
