"""Changes a reader could see invalidate the site's caches (articles.caching)."""

from django.db.models.signals import post_delete, post_save

from .caching import invalidate_site
from .models import Article, Category, Source


def connect():
    for model in (Article, Category, Source):
        post_save.connect(invalidate_site, sender=model, dispatch_uid=f"bump-{model.__name__}")
        post_delete.connect(
            invalidate_site, sender=model, dispatch_uid=f"bump-del-{model.__name__}"
        )
