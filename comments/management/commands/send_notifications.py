"""Send the comment notifications that are due: one email per reader, with the
replies and comments published for them within the batching window.

Run it every minute (cron or a systemd timer). Overlapping runs are safe: a
notification is taken by one run before it is mailed (``comments.notifications``).
"""

from django.core.management.base import BaseCommand

from comments import moderation, notifications


class Command(BaseCommand):
    help = "Mail the reply and comment notifications that are due, one email per reader."

    def handle(self, *args, **options):
        emails, sent = notifications.send_due(moderation.policy())
        self.stdout.write(f"Sent {emails} email(s) telling of {sent} comment(s).")
