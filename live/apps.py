from django.apps import AppConfig


class LiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "live"
    verbose_name = "Live coverage"

    def ready(self):
        from articles.signals import invalidate_site_on_change

        from .models import LiveEntry

        # An entry changes the article page, its JSON-LD and what polls answer,
        # all kept under the site version (and purged with the ``site`` key).
        invalidate_site_on_change(LiveEntry)
