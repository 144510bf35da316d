"""
Mail to readers: report receipts, statements of reasons, notifications.

Sent once the transaction that decided it commits, so nothing is mailed for a
change that rolled back; a mail server that fails is logged and never fails
the request (the decision stands, and is in the audit trail).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger("newsroom.mail")


def send_after_commit(to, template, context):
    """Mail ``comments/email/<template>.txt`` (its first line the subject) to ``to``."""
    if not to:
        return
    transaction.on_commit(lambda: send_now(to, template, context))


def send_now(to, template, context, headers=None):
    subject, _, body = render_to_string(f"comments/email/{template}.txt", context).partition("\n")
    message = EmailMessage(
        subject.strip(), body.lstrip("\n"), settings.DEFAULT_FROM_EMAIL, [to], headers=headers
    )
    try:
        message.send()
    except Exception as error:  # any mail server failure: the decision stands
        logger.warning("Could not mail %s (%s): %s", template, to.split("@")[-1], error)
        return False
    return True
