"""
Tell the shared caches in front of the site (Varnish) to drop what they hold.

Cached pages carry a ``Surrogate-Key`` header naming what they show: ``site`` on
every page, ``article-<pk>`` on an article's own page. ``purge("article-7")``
sends one ``PURGE`` request with ``Surrogate-Key: article-7`` to every cache in
``NEWSROOM_PURGE_URLS``; the cache then drops every object tagged with any of the
keys (deploy/varnish.vcl).

A purge is a courtesy to readers, never a reason to fail an editor's save: a
cache that is down or slow is logged and skipped, after half a second at most
per step (connect, then read). Without ``NEWSROOM_PURGE_URLS`` nothing is sent.
"""

import http.client
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("newsroom.purging")

TIMEOUT_SECONDS = 0.5


def purge(*keys):
    """Ask every configured cache to drop the objects tagged with any of the keys."""
    keys = " ".join(dict.fromkeys(key for key in keys if key))
    if not keys:
        return
    for base_url in settings.NEWSROOM_PURGE_URLS:
        _send_purge(base_url, keys)


def purge_on_commit(*keys):
    """Purge once the current transaction commits: a reader who refills the cache
    right after the purge must find the new content, not the old."""
    transaction.on_commit(lambda: purge(*keys))


def _send_purge(base_url, keys):
    connection = None
    try:
        url = urlsplit(base_url)
        connection_class = (
            http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(url.hostname, url.port, timeout=TIMEOUT_SECONDS)
        connection.request("PURGE", url.path or "/", headers={"Surrogate-Key": keys})
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException, ValueError) as error:
        logger.warning("Purge of %r at %s failed: %s", keys, base_url, error)
        return
    finally:
        if connection is not None:
            connection.close()
    if response.status == 200:
        logger.debug("Purged %r at %s", keys, base_url)
    else:
        logger.warning(
            "Purge of %r at %s answered %s %s", keys, base_url, response.status, response.reason
        )
