"""
Verified email addresses for anonymous commenters.

An anonymous comment that gives an address not yet verified queues an email to
it (``comments.mail``) with a signed link (``django.core.signing``, valid for a
week); following it and pressing the button records a ``VerifiedEmail`` and
starts the notifications asked for with that address (double opt-in:
``comments.notifications``). A sanction on an anonymous author then follows
their verified address (``comments.sanctions.subject_of``), which lasts,
rather than their network, whose hash changes with the day's salt.

Nothing a reader sees says whether an address is verified: the comment form
answers the same either way, and the link is only mailed to the address itself.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import mail
from .models import EmailOptOut, Subscription, VerifiedEmail

SALT = "comments.verify-email"
LINK_VALID_FOR = timedelta(days=7)
# One link per address a day is enough, and the comment form cannot be used to
# fill someone's inbox.
RESEND_AFTER_SECONDS = 24 * 3600


def normalised(email):
    return (email or "").strip().lower()


def is_verified(email):
    email = normalised(email)
    return bool(email) and VerifiedEmail.objects.filter(email=email).exists()


def token_for(email):
    return signing.dumps(normalised(email), salt=SALT)


def email_from(token):
    """The address a link's token was made for, or None when it is forged,
    altered or older than a week."""
    try:
        return signing.loads(token, salt=SALT, max_age=LINK_VALID_FOR)
    except signing.BadSignature:  # SignatureExpired included
        return None


def link_for(email):
    return settings.NEWSROOM_SITE_URL + reverse("comments:verify_email", args=[token_for(email)])


def ask_to_verify(email, even_if_verified=False):
    """Queue the link for ``email`` if it is not verified yet (once a day at
    most), in the transaction of the comment or follow that gave it.
    ``even_if_verified``: an address whose reader stopped all discussion email
    is asked again before it is subscribed again."""
    email = normalised(email)
    if not email or (not even_if_verified and is_verified(email)):
        return False
    key = "verify-email-sent:" + hashlib.sha256(email.encode()).hexdigest()
    try:
        first_today = cache.add(key, 1, RESEND_AFTER_SECONDS)
    except Exception:  # a cache that is down: mail rather than never
        first_today = True
    if first_today:
        mail.queue(email, "verify_email", {"link": link_for(email)})
    return first_today


def confirm(email):
    """Record ``email`` as verified; True when it was not before. The
    notifications its reader asked for start (``comments.notifications``), and an
    earlier "stop all discussion email" is lifted: the reader asked again."""
    email = normalised(email)
    with transaction.atomic():
        _, created = VerifiedEmail.objects.get_or_create(email=email)
        EmailOptOut.objects.filter(email=email).delete()
        Subscription.objects.filter(
            email=email, confirmed_at__isnull=True, ended_at__isnull=True
        ).update(confirmed_at=timezone.now())
    return created
