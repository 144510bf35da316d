from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals
        from .editors import ensure_after_migrate

        signals.connect()
        post_migrate.connect(ensure_after_migrate, dispatch_uid="ensure-editors-group")
