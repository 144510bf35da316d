"""Changes a reader could see invalidate the site's caches (articles.caching);
a note readers have seen is never deleted, whichever way the delete comes
and whatever its story's state now."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from . import models
from .caching import invalidate_site
from .models import Article, ArticleNote, PublicNoteDeletion

# What readers see of these is cached under the site version.
SITE_MODELS = [
    "Article",
    "ArticleContributor",
    "ArticleNote",
    "Banner",
    "Category",
    "Contributor",
    "EditorialSettings",
    "Image",
    "Pin",
    "Source",
    "Topic",
]


def refuse_public_note_deletion(sender, instance, **kwargs):
    """Runs for ``note.delete()``, queryset deletes and cascades alike (a
    connected pre_delete turns off Django's fast delete)."""
    if instance.has_been_public():
        raise PublicNoteDeletion(
            f"{instance} has been public: retract it with a reason instead of deleting it."
        )


def invalidate_site_on_change(model):
    """Saving or deleting a ``model`` row changes what readers see (other apps'
    models use this too: pages, live entries)."""
    post_save.connect(invalidate_site, sender=model, dispatch_uid=f"bump-{model.__name__}")
    post_delete.connect(invalidate_site, sender=model, dispatch_uid=f"bump-del-{model.__name__}")


def connect():
    for model in (getattr(models, name) for name in SITE_MODELS):
        invalidate_site_on_change(model)
    m2m_changed.connect(
        invalidate_site, sender=Article.topics.through, dispatch_uid="bump-article-topics"
    )
    pre_delete.connect(
        refuse_public_note_deletion, sender=ArticleNote, dispatch_uid="keep-public-notes"
    )
