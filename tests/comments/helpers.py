import time

from django.core import signing

from articles.page_cache import ISSUED_SALT


def issued(seconds_ago=60):
    """A form timestamp as if the form had been opened ``seconds_ago``."""
    return signing.dumps(int(time.time()) - seconds_ago, salt=ISSUED_SALT)


def comment_data(**overrides):
    data = {
        "author_name": "Jane Reader",
        "email": "jane@example.com",
        "body": "A thoughtful comment.",
        "website": "",
        "issued": issued(),
    }
    data.update(overrides)
    return data
