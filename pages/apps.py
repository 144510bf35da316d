from django.apps import AppConfig


class PagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from articles.caching import invalidate_site

        from .models import Page
        from .standing import ensure_after_migrate

        post_save.connect(invalidate_site, sender=Page, dispatch_uid="bump-Page")
        post_delete.connect(invalidate_site, sender=Page, dispatch_uid="bump-del-Page")
        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="standing-pages")
