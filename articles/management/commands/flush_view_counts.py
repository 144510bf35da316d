"""Move view counts buffered in Redis into the database.

Run it every minute (cron or a systemd timer) when the site has ``REDIS_URL``.
Overlapping or interrupted runs are safe: every buffered view is added exactly
once (see articles/counting/redis_store.py).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.counting import redis_store


class Command(BaseCommand):
    help = "Move view counts buffered in Redis into Article.view_count (exactly once)."

    def handle(self, *args, **options):
        if settings.NEWSROOM_VIEW_COUNTING != "redis":
            raise CommandError(
                "View counts are written to the database directly; nothing to flush "
                "(the site has no REDIS_URL)."
            )
        moved = redis_store.flush()
        self.stdout.write(f"Moved {moved} view(s) into the database.")
