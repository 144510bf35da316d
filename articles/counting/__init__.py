"""
The view-count rule, in one place; the only module views call.

A visit counts when it is a reader's GET of a published article: not a HEAD, not
a bot, not staff, not a browser's prefetch or prerender, and not an htmx partial
request of the page itself. The small counting request that a page served by a
shared cache makes (htmx on load, or a ``<noscript>`` image) follows the same
rule, except that being an htmx request is what it is for (``record_beacon``).

A reader is told apart by a SHA-256 of their address and User-Agent under a
random salt that changes every day: no cookie is set and nothing that
identifies a person is stored. A reader's repeat visits to an article within
``NEWSROOM_VIEW_WINDOW_MINUTES`` count once, across midnight too: for one
window after the salt changes, a visit is also looked up under the day before's
(``earlier_fingerprint``).

One network address (an IPv6 /64 as one, ``network_of``) counts at most
``NEWSROOM_VIEWS_PER_ADDRESS`` views of an article in
``NEWSROOM_VIEWS_PER_ADDRESS_MINUTES``, however many readers it claims to be: a
client that changes its User-Agent, or its address within its /64, on every
request can neither inflate a count nor fill the store with marks. The network
is hashed under the same daily salt. Past the cap a visit counts nothing and
leaves no mark.

Marks and counts live in one of two stores, which implement the same
``record(article_id, reader, now, hour, window, earlier=...)``: the database
(``counting.database``, the default) or Redis (``counting.redis_store``, when
``REDIS_URL`` is set; ``manage.py flush_view_counts`` carries its counts into
the database), with the address's tally passed as ``address``,
``address_limit`` and ``address_window``. ``manage.py purge_view_marks`` deletes what can no longer
matter; nothing is deleted while a reader waits.
"""

import hashlib
import ipaddress
import logging
import re
import secrets
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from articles.models import ReaderSalt
from newsroom import degraded

from . import database, redis_store

logger = logging.getLogger("newsroom.counting")

BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|scrap|fetch|monitor|uptime|pingdom|preview|"
    r"facebookexternalhit|embedly|quora link|pinterest|whatsapp|vkshare|w3c_validator|"
    r"curl|wget|httpie|python-requests|python-urllib|aiohttp|httpx|go-http-client|"
    r"java/|okhttp|libwww|lighthouse|headlesschrome|phantomjs",
    re.IGNORECASE,
)

TALLY_DAYS = 8  # hourly tallies kept: enough for "most read this week"
FLUSHED_BATCH_DAYS = 7  # how long a flushed Redis batch's id is remembered

_salt_cache = {}


def is_prefetch(request):
    """Whether the browser is fetching the page ahead of a reader's click."""
    headers = request.headers
    return (
        "prefetch" in headers.get("Sec-Purpose", "").lower()
        or headers.get("Purpose", "").lower() == "prefetch"
        or headers.get("X-Purpose", "").lower() == "preview"
        or headers.get("X-Moz", "").lower() == "prefetch"
    )


def is_staff(request):
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:  # only then can it be staff
        return False
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated and user.is_staff


def is_countable(request, *, beacon=False):
    """Whether this request is a reader's visit that may count: the article page
    itself, or (``beacon``) the counting request a cached copy of it makes."""
    if request.method != "GET":
        return False
    if getattr(request, "htmx", False) and not beacon:
        return False
    if is_prefetch(request) or is_staff(request):
        return False
    user_agent = request.headers.get("User-Agent", "")
    return bool(user_agent) and not BOT_USER_AGENT.search(user_agent)


def client_address(request):
    """The reader's address: REMOTE_ADDR, or the address the trusted proxies saw."""
    proxies = settings.NEWSROOM_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.headers.get("X-Forwarded-For", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def daily_salt(day=None):
    """The day's salt, shared by every process through the database.

    A process asks the database once a day; the first one to ask creates the
    salt. Nothing is deleted here: ``purge_view_marks`` forgets old salts.
    """
    day = day or timezone.localdate()
    if day not in _salt_cache:
        salt, _ = ReaderSalt.objects.get_or_create(
            day=day, defaults={"salt": secrets.token_hex(32)}
        )
        # Today's and yesterday's are kept: both are asked for just after midnight.
        for kept in list(_salt_cache):
            if abs(kept - day) > timedelta(days=1):
                _salt_cache.pop(kept, None)
        _salt_cache[day] = salt.salt
    return _salt_cache[day]


def _salted(*parts, day=None):
    """A SHA-256 of ``parts`` under the day's salt: nothing kept can be tied back
    to an address once the salt is gone."""
    return hashlib.sha256("\n".join([daily_salt(day), *parts]).encode()).hexdigest()


def reader_fingerprint(request, day=None):
    """One reader: their address and User-Agent, under ``day``'s salt (today's)."""
    return _salted(client_address(request), request.headers.get("User-Agent", ""), day=day)


def earlier_fingerprint(request, now):
    """The reader under yesterday's salt while a visit made before midnight may
    still be inside the window; None the rest of the day."""
    today = timezone.localdate(now)
    if timezone.localdate(now - window()) == today:
        return None
    return reader_fingerprint(request, day=today - timedelta(days=1))


def network_of(address):
    """The network an address stands for when telling people apart: an IPv4
    address itself, an IPv6 address's /64 (what one subscriber is given, so
    hopping between its addresses changes nothing), an IPv4-mapped IPv6 address
    as IPv4. Anything that is not an address is kept as it is."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def network_fingerprint(request):
    """The client's network (``network_of`` its address): one for everyone behind
    it, whatever User-Agents they send. The view cap and the comment rules use it."""
    return _salted("network", network_of(client_address(request)))


def hour_of(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def window():
    return timedelta(minutes=settings.NEWSROOM_VIEW_WINDOW_MINUTES)


def address_window():
    return timedelta(minutes=settings.NEWSROOM_VIEWS_PER_ADDRESS_MINUTES)


def store():
    """Where marks and counts live: Redis when the site has one and it answers,
    else the database."""
    if settings.NEWSROOM_VIEW_COUNTING == "redis" and degraded.redis_counting.available():
        return redis_store
    return database


class LostViews:
    """Views that counted but could not be stored, since this process started."""

    def __init__(self):
        self.lock = threading.Lock()
        self.total = 0

    def add(self, article_id, error):
        with self.lock:
            self.total += 1
        logger.warning("View of article %s lost: %s: %s", article_id, type(error).__name__, error)


lost_views = LostViews()


def _store_record(article_id, reader, now, address, earlier=None):
    """Record in the chosen store; a Redis that fails sends this visit (and the
    next ones, for ``degraded.RETRY_AFTER_SECONDS``) to the database, so nothing
    is lost while it is down."""
    args = (article_id, reader, now, hour_of(now), window())
    marks_and_cap = {
        "earlier": earlier,
        "address": address,
        "address_limit": settings.NEWSROOM_VIEWS_PER_ADDRESS,
        "address_window": address_window(),
    }
    chosen = store()
    if chosen is redis_store:
        try:
            return redis_store.record(*args, **marks_and_cap)
        except redis_store.UNAVAILABLE as error:
            degraded.redis_counting.failed(error, "counting in the database meanwhile")
    if settings.NEWSROOM_VIEW_COUNTING == "redis":
        # Counted in the database behind Redis's back: what this process
        # remembers of the database's counts is no longer theirs.
        redis_store.stored_counts.clear()
    return database.record(*args, **marks_and_cap)


def _record(article, countable, request):
    """Count the visit if ``countable``; set the count to show on the article.

    A view that cannot be stored (SQLite's write lock held past the short wait,
    a full disk, a database error) never fails the page: it is logged under
    ``newsroom.counting`` and added to ``lost_views``, which /health/ reports,
    and the page shows the count it already had.
    """
    now = timezone.now()
    try:
        with database.short_lock_wait():
            reader = reader_fingerprint(request) if countable else None
            address = network_fingerprint(request) if countable else None
            earlier = earlier_fingerprint(request, now) if countable else None
            counted, article.view_count = _store_record(article.pk, reader, now, address, earlier)
    except DatabaseError as error:
        if countable:
            lost_views.add(article.pk, error)
        return False
    return counted


def record_view(request, article):
    """Count this visit to the article's page if the rule allows; return whether
    it counted.

    Either way the article in hand ends up with the ``view_count`` to show (it
    may come from a cache): including this visit when it counted, and views still
    buffered in Redis.
    """
    return _record(article, is_countable(request) and article.is_published(), request)


def record_beacon(request, article):
    """Count the visit that a cached copy of the article's page reports; the same
    rule as ``record_view``, for an htmx request or a plain image request.

    Sets ``view_count`` on the article in hand as ``record_view`` does.
    """
    countable = is_countable(request, beacon=True) and article.is_published()
    return _record(article, countable, request)


def purge_expired(now=None):
    """Delete salts no longer needed (yesterday's is kept for a window past
    midnight), reader marks past the window, addresses' tallies
    past theirs, tallies older than ``TALLY_DAYS`` and old flushed-batch ids;
    return ``{what: rows deleted}``."""
    now = now or timezone.now()
    return database.purge(
        salts_before=timezone.localdate(now - window()),
        marks_before=now - window(),
        address_views_before=now - address_window(),
        tallies_before=now - timedelta(days=TALLY_DAYS),
        batches_before=now - timedelta(days=FLUSHED_BATCH_DAYS),
    )
