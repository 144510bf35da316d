"""Bring a backup made by ``manage.py backup`` back."""

from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError, current_counts, has_data, read_manifest, restore


class Command(BaseCommand):
    help = (
        "Restore the database and media files from a directory written by `manage.py backup`. "
        "Replaces the database's content: stop the site first."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="replace a database that already holds articles or comments",
        )

    def handle(self, *args, directory, yes, **options):
        try:
            manifest = read_manifest(directory)
            if has_data() and not yes:
                counts = current_counts()
                raise CommandError(
                    f"This database already holds {counts['articles']} articles and "
                    f"{counts['comments']} comments; restoring replaces them. "
                    "Run again with --yes to do it."
                )
            restore(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = manifest["counts"]
        self.stdout.write(
            f"Restored the backup of {manifest['taken_at']}: {counts['articles']} articles, "
            f"{counts['comments']} comments, {counts['views']} views, "
            f"{len(manifest['media'])} media files."
        )
