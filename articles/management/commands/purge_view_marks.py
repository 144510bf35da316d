"""Delete view-counting rows that can no longer matter.

Run it hourly (cron or a systemd timer) in every deployment: the salts of past
days, reader marks older than the dedupe window, client addresses' view tallies
past their window, hourly tallies older than
"most read" looks back, the ids of Redis batches flushed a week ago, and the
nonces of used form tokens too old to be accepted anyway. Pages
never delete anything themselves; until this runs, old rows only take space.
"""

from django.core.management.base import BaseCommand

from articles import counting, form_tokens


class Command(BaseCommand):
    help = (
        "Delete old reader salts, expired reader marks and address tallies, old hourly "
        "tallies, flushed-batch ids and used form tokens."
    )

    def handle(self, *args, **options):
        deleted = counting.purge_expired()
        deleted["used form tokens"] = form_tokens.purge_used()
        self.stdout.write(
            "Deleted: " + ", ".join(f"{what} {rows}" for what, rows in deleted.items()) + "."
        )
