"""Comment changes that readers can see recount the thread and invalidate it
(comments.threads); the rest change nothing. New discussion settings invalidate
the whole site: every worker reads them under the site's version, and closing
threads changes pages."""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from articles.caching import invalidate_site

from .models import Comment, DiscussionSettings
from .threads import changes_what_readers_see, thread_changed


def comment_saved(sender, instance, created, **kwargs):
    if changes_what_readers_see(instance, created):
        thread_changed(instance.article_id, shown=[instance.pk])
    instance.remember_loaded()


def comment_deleted(sender, instance, origin=None, **kwargs):
    """A comment readers had seen (shown, or shown and then removed), deleted as
    a comment, is remembered, so pages still open take it away. One deleted with
    its article (or anything above it) has no page left to tell."""
    if instance.shown_changed_at is not None and deleted_as_a_comment(origin):
        thread_changed(deleted=[(instance.article_id, instance.pk)])
    elif instance.is_visible():
        thread_changed(instance.article_id)


def deleted_as_a_comment(origin):
    """Whether a delete started from comments (``origin`` of the delete signals:
    an instance or a queryset), such as the admin's, with replies following
    their parent."""
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return issubclass(model, Comment)


def connect():
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="comment-saved")
    post_delete.connect(comment_deleted, sender=Comment, dispatch_uid="comment-deleted")
    post_save.connect(
        invalidate_site, sender=DiscussionSettings, dispatch_uid="discussion-settings-saved"
    )
