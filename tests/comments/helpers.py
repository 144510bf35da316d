import secrets
import time

from django.core import mail, signing

from articles.form_tokens import SALT
from comments import mail as comment_mail

# What rendering a page of a thread again costs, however long the thread: its
# top-level comments, their replies, and the moderators' picks shown above it.
THREAD_PAGE_QUERIES = 3


def issued(article, seconds_ago=60, nonce=None):
    """The form token of a form for ``article`` as if opened ``seconds_ago``."""
    article_id = getattr(article, "pk", article)
    nonce = nonce or secrets.token_urlsafe(12)
    return signing.dumps([article_id, nonce, int(time.time()) - seconds_ago], salt=SALT)


def comment_data(article, **overrides):
    data = {
        "author_name": "Jane Reader",
        "email": "jane@example.com",
        "body": "A thoughtful comment.",
        "website": "",
        "issued": issued(article),
    }
    data.update(overrides)
    return data


def sent_mail():
    """Run the mail sender, as ``send_notifications`` does every minute, and
    return every email sent so far."""
    comment_mail.send_queued()
    return mail.outbox
