from django.apps import AppConfig


class LiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "live"
    verbose_name = "Live coverage"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import LiveEntry
        from .signals import entry_changed

        # An entry changes its article's page, JSON-LD and polls: that page's
        # scope, not the site's (the home page and listings do not show it).
        post_save.connect(entry_changed, sender=LiveEntry, dispatch_uid="live-entry-saved")
        post_delete.connect(entry_changed, sender=LiveEntry, dispatch_uid="live-entry-deleted")
