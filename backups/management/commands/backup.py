"""Write a consistent copy of the database and the media files to a directory."""

from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup, or pg_dump -Fc on PostgreSQL) and the "
        "media files into DIR, with a manifest. Safe while the site is serving."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a new or empty directory")

    def handle(self, *args, directory, **options):
        try:
            manifest = backup(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = manifest["counts"]
        self.stdout.write(
            f"Backed up the {manifest['database']} database ({counts['articles']} articles, "
            f"{counts['comments']} comments, {counts['views']} views) and "
            f"{len(manifest['media'])} media files to {directory}."
        )
