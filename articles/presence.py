"""Who has an article's change form open, and whether they have unsaved
changes: kept in the cache for a short while by the form's ping.

Only a courtesy: the stale-save check (``articles.revision_admin``) is what
keeps work from being lost, so a failing cache means no notice, never an error.
"""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

# The form pings every 10 seconds; a form not heard from for this long is closed.
SEEN_FOR = 30


def _key(article_id):
    return f"article-presence:{article_id}"


def ping(article_id, user, dirty):
    """Record that ``user`` has the article open (``dirty``: with unsaved
    changes) and return the others who do: [{"name", "dirty"}], by name."""
    now = time.time()
    try:
        entries = cache.get(_key(article_id)) or {}
        entries = {uid: e for uid, e in entries.items() if now - e["seen"] < SEEN_FOR}
        entries[str(user.pk)] = {
            "name": user.get_full_name() or user.get_username(),
            "dirty": bool(dirty),
            "seen": now,
        }
        cache.set(_key(article_id), entries, SEEN_FOR)
    except Exception:  # the notice is a courtesy: a broken cache costs it, nothing else
        logger.warning("Presence for article %s not recorded", article_id, exc_info=True)
        return []
    others = [e for uid, e in entries.items() if uid != str(user.pk)]
    return sorted(others, key=lambda e: e["name"])
