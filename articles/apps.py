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
        post_migrate.connect(ensure_search_index, sender=self, dispatch_uid="ensure-search-index")


def ensure_search_index(using, **kwargs):
    """A migration that rebuilds the article table on SQLite drops its search
    triggers: put them back, and the index in step (articles.search)."""
    from django.db import connections

    from .search import ensure_sqlite_index

    ensure_sqlite_index(connections[using])
