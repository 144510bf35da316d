"""A comment saved or deleted can change what readers see: move the content version on."""

from django.db.models.signals import post_delete, post_save

from articles.caching import bump_content_version

from .models import Comment


def connect():
    post_save.connect(bump_content_version, sender=Comment, dispatch_uid="bump-comment")
    post_delete.connect(bump_content_version, sender=Comment, dispatch_uid="bump-del-comment")
