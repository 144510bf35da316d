"""
The signed issue time a reader's form carries: when it was issued, for which
article, and a nonce that makes it usable once.

The token is signed with the secret key, so a reader cannot forge or alter it;
it names the article, so a token taken from one article's form is refused on
another; and the nonce of a token whose form was saved is recorded
(``UsedFormToken``), so the same token cannot post twice. A recorded nonce only
matters while its token could still be accepted; ``manage.py purge_view_marks``
forgets older ones.
"""

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection
from django.utils import timezone

from .models import UsedFormToken

SALT = "comments.form-issued"


@dataclass(frozen=True)
class Token:
    article_id: int
    nonce: str
    issued_at: int  # seconds since the epoch

    def age(self):
        return time.time() - self.issued_at


def issue(article_id):
    """A new token for a form about the article, issued now."""
    return signing.dumps([article_id, secrets.token_urlsafe(12), int(time.time())], salt=SALT)


def read(token):
    """The token's contents; ``signing.BadSignature`` if it is not one of ours."""
    try:
        article_id, nonce, issued_at = signing.loads(token, salt=SALT)
        return Token(int(article_id), str(nonce), int(issued_at))
    except (TypeError, ValueError) as error:
        raise signing.BadSignature(str(error)) from None


def is_used(nonce):
    return UsedFormToken.objects.filter(nonce=nonce).exists()


def use(nonce):
    """Record the nonce as used, in the caller's transaction; False when it
    already was (by another request too: the unique row decides)."""
    table = connection.ops.quote_name(UsedFormToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (nonce, used_at) VALUES (%s, %s) ON CONFLICT (nonce) DO NOTHING",
            [nonce, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return cursor.rowcount == 1


def max_age():
    return timedelta(hours=settings.NEWSROOM_COMMENT_FORM_MAX_AGE_HOURS)


def purge_used(now=None):
    """Forget the nonces of tokens too old to be accepted anyway; return how many."""
    now = now or timezone.now()
    return UsedFormToken.objects.filter(used_at__lt=now - max_age()).delete()[0]
