"""Delete view-counting rows that can no longer matter.

Run it hourly (cron or a systemd timer) in every deployment: the salts of past
days, reader marks older than the dedupe window, hourly tallies older than
"most read" looks back, and the ids of Redis batches flushed a week ago. Pages
never delete anything themselves; until this runs, old rows only take space.
"""

from django.core.management.base import BaseCommand

from articles import counting


class Command(BaseCommand):
    help = (
        "Delete old reader salts, expired reader marks, old hourly tallies and flushed-batch ids."
    )

    def handle(self, *args, **options):
        deleted = counting.purge_expired()
        self.stdout.write(
            "Deleted: " + ", ".join(f"{what} {rows}" for what, rows in deleted.items()) + "."
        )
