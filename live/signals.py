"""A live entry changes only its own article's page (``articles.caching``)."""

from articles import caching


def entry_changed(sender, instance, **kwargs):
    caching.invalidate_page(instance.article)
