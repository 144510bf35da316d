"""Changes a reader could see move the content version on (articles.caching)."""

from django.db.models.signals import post_delete, post_save

from .caching import bump_content_version
from .models import Article, Category, Source


def connect():
    for model in (Article, Category, Source):
        post_save.connect(bump_content_version, sender=model, dispatch_uid=f"bump-{model.__name__}")
        post_delete.connect(
            bump_content_version, sender=model, dispatch_uid=f"bump-del-{model.__name__}"
        )
