"""Move view counts buffered in Redis into the database.

Run it on a schedule when NEWSROOM_VIEW_COUNTING is "redis", for example every
minute from cron or a systemd timer. Overlapping or interrupted runs are safe:
every buffered view is added exactly once (see articles/view_buffer.py).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles import view_buffer


class Command(BaseCommand):
    help = "Move view counts buffered in Redis into Article.view_count (exactly once)."

    def handle(self, *args, **options):
        if settings.NEWSROOM_VIEW_COUNTING != "redis":
            raise CommandError(
                "View counts are written to the database directly; nothing to flush "
                "(NEWSROOM_VIEW_COUNTING is not 'redis')."
            )
        moved = view_buffer.flush()
        self.stdout.write(f"Moved {moved} view(s) into the database.")
