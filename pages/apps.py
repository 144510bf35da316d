from django.apps import AppConfig


class PagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        from django.db.models.signals import post_migrate

        from articles.signals import invalidate_site_on_change

        from .models import Page
        from .standing import ensure_after_migrate

        invalidate_site_on_change(Page)
        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="standing-pages")
