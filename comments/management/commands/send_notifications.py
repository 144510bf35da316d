"""Send the reader mail that is waiting: first the queued email (address
confirmations, report receipts and outcomes, statements of reasons), then the
comment notifications that are due, one email per reader with the replies and
comments published for them within the batching window. Queued email older
than a month is then deleted.

Run it every minute (cron or a systemd timer): readers wait for their
confirmation link until the next run. Overlapping runs are safe: an email is
taken by one run before it is sent (``comments.mail``, ``comments.notifications``).
"""

from django.core.management.base import BaseCommand

from comments import mail, moderation, notifications


class Command(BaseCommand):
    help = (
        "Send the queued reader email, then the reply and comment notifications that are "
        "due, one email per reader."
    )

    def handle(self, *args, **options):
        queued = mail.send_queued()
        emails, sent = notifications.send_due(moderation.policy())
        mail.forget_old()
        self.stdout.write(f"Sent {queued} queued email(s).")
        self.stdout.write(f"Sent {emails} email(s) telling of {sent} comment(s).")
