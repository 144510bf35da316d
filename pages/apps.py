from django.apps import AppConfig


class PagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        from articles.signals import invalidate_site_on_change

        from .models import Page

        invalidate_site_on_change(Page)
