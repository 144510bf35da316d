"""
Mail to readers.

Address confirmations, report receipts, report outcomes and statements of
reasons are queued (``queue``, ``queue_all``): rendered and written to
``QueuedMail`` in the transaction that decided them, so a change that rolls
back mails nothing, and no page waits for a mail server. Comment notifications
have their own outbox (``comments.notifications``) and are sent with
``send_now``. The ``send_notifications`` command, run every minute, sends both:
the queued mail first (``send_queued``), then the notifications that are due.

A run takes one queued email at a time with a conditional UPDATE (``claim``):
the row must still be waiting, due and unchanged since the run read it, and
the claim moves its next attempt a lease away. Two runs that read the same row
cannot both claim it, on SQLite (writes take turns) as on PostgreSQL (the
second UPDATE waits for the first and finds the row changed). A run that dies
while sending leaves the row to be tried again when the lease is over.

A mail server that fails is logged and never raises: the decision stands, and
is in the audit trail. A failed email is tried again by later runs, each
waiting longer (``RETRY_AFTER``), up to ``MAX_ATTEMPTS`` attempts.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from .models import QueuedMail

logger = logging.getLogger("newsroom.mail")

# Far longer than one email may take to send (EMAIL_TIMEOUT is seconds).
LEASE = timedelta(minutes=10)
# How long a failed email waits before its next attempt: about three hours
# from the first to the last, longer than most mail server outages.
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
# Queued email holds readers' addresses and, for confirmations, a live link:
# kept a month for questions about what was sent, then deleted.
KEEP_FOR = timedelta(days=30)
BATCH = 100


def render(template, context):
    """``comments/email/<template>.txt`` as (subject, body): its first line is
    the subject."""
    subject, _, body = render_to_string(f"comments/email/{template}.txt", context).partition("\n")
    return subject.strip(), body.lstrip("\n")


def queue(to, template, context, headers=None):
    """Queue one email to ``to`` in the current transaction; None when there is
    no address to mail."""
    queued = queue_all([(to, template, context)], headers=headers)
    return queued[0] if queued else None


def queue_all(emails, headers=None):
    """Queue ``emails``, (to, template, context) each, with one INSERT;
    those without an address are skipped."""
    rows = []
    for to, template, context in emails:
        if not to:
            continue
        subject, body = render(template, context)
        rows.append(
            QueuedMail(to=to, template=template, subject=subject, body=body, headers=headers or {})
        )
    return QueuedMail.objects.bulk_create(rows) if rows else []


def send_now(to, template, context, headers=None):
    """Render and send one email at once; whether the mail server took it."""
    subject, body = render(template, context)
    return deliver(to, template, subject, body, headers) is None


def deliver(to, template, subject, body, headers=None):
    """Send an email through Django's email backend: None once the server took
    it, else the error (logged here, never raised)."""
    message = EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or None
    )
    try:
        message.send()
    except Exception as error:  # any mail server failure: the decision stands
        logger.warning("Could not mail %s (%s): %s", template, to.split("@")[-1], error)
        return error
    return None


def due(now):
    """Queued email that a run may take at ``now``."""
    return QueuedMail.objects.filter(
        sent_at__isnull=True, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS
    )


def claim(row, now):
    """Take ``row`` (as this run read it) for sending: True when no other run
    has taken, sent or tried it since. The attempt is counted now, so one that
    dies half way still counts."""
    return bool(
        due(now)
        .filter(pk=row.pk, attempts=row.attempts)
        .update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    )


def send_queued(now=None):
    """Send the queued email that is due; returns how many were sent. Each
    email costs two queries (its claim and its outcome) and one more per
    ``BATCH`` read."""
    now = now or timezone.now()
    sent = 0
    while True:
        batch = list(due(now).order_by("next_attempt_at", "pk")[:BATCH])
        for row in batch:
            if claim(row, now):
                sent += send_claimed(row, now)
        if len(batch) < BATCH:
            return sent


def send_claimed(row, now):
    """Send an email this run claimed and record how it went: 1 if sent."""
    error = deliver(row.to, row.template, row.subject, row.body, row.headers)
    attempt = row.attempts + 1
    if error is None:
        QueuedMail.objects.filter(pk=row.pk).update(sent_at=timezone.now(), last_error="")
        return 1
    if attempt >= MAX_ATTEMPTS:
        logger.error(
            "Gave up mailing %s (%s) after %d attempts",
            row.template,
            row.to.split("@")[-1],
            attempt,
        )
        retry_at = now
    else:
        retry_at = now + RETRY_AFTER[attempt - 1]
    QueuedMail.objects.filter(pk=row.pk).update(
        next_attempt_at=retry_at, last_error=str(error)[:1000] or type(error).__name__
    )
    return 0


def forget_old(now=None):
    """Delete queued email older than ``KEEP_FOR``, sent or given up."""
    now = now or timezone.now()
    deleted, _ = QueuedMail.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    return deleted
