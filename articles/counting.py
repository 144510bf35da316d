"""
The view-count rules, in one place.

A visit counts when it is a reader's GET of the full article page: not a bot,
not a HEAD, not an htmx partial, not staff. A reader is told apart by a hash of
their address and User-Agent under a random salt that changes every day: no
cookie is set and nothing that identifies a person is stored. A reader's repeat
visits within ``NEWSROOM_VIEW_WINDOW_MINUTES`` count once.

Both the dedupe and the increment happen in shared storage, so they hold across
every worker process of a deployment, and nothing is read and written back in
Python. By default that storage is the database: the dedupe is one conditional
upsert on a unique (article, reader) row, the increment one ``UPDATE ... SET
view_count = view_count + 1 ... RETURNING view_count``. With ``NEWSROOM_VIEW_COUNTING = "redis"`` (the
default when ``REDIS_URL`` is set) both move to Redis (``articles.view_buffer``)
and ``manage.py flush_view_counts`` carries the counts into the database.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import view_buffer
from .models import Article, ReaderSalt, ReaderView, ViewTally

BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|scrap|fetch|monitor|uptime|pingdom|preview|"
    r"facebookexternalhit|embedly|quora link|pinterest|whatsapp|vkshare|w3c_validator|"
    r"curl|wget|httpie|python-requests|python-urllib|aiohttp|httpx|go-http-client|"
    r"java/|okhttp|libwww|lighthouse|headlesschrome|phantomjs",
    re.IGNORECASE,
)

_salt_cache = {}


def is_countable(request):
    """Whether this request is a reader's visit that may count."""
    if request.method != "GET":
        return False
    if getattr(request, "htmx", False):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:  # only then can it be staff
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
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
    """Today's salt, shared by every process through the database.

    A process asks the database once a day; the first one to ask creates the
    day's salt and deletes the salts and view marks that can no longer matter.
    """
    day = day or timezone.localdate()
    if day in _salt_cache:
        return _salt_cache[day]
    try:
        salt, created = ReaderSalt.objects.get_or_create(
            day=day, defaults={"salt": secrets.token_hex(32)}
        )
    except IntegrityError:  # another process created it between our get and create
        salt, created = ReaderSalt.objects.get(day=day), False
    if created:
        ReaderSalt.objects.filter(day__lt=day).delete()
        purge_reader_views()
    _salt_cache.clear()
    _salt_cache[day] = salt.salt
    return salt.salt


def reader_fingerprint(request):
    material = "\n".join(
        [daily_salt(), client_address(request), request.headers.get("User-Agent", "")]
    )
    return hashlib.sha256(material.encode()).hexdigest()


TALLY_DAYS = 8  # hourly tallies kept: enough for "most read this week"


def purge_reader_views(now=None):
    """Forget view marks older than the window, and tallies older than a week."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.NEWSROOM_VIEW_WINDOW_MINUTES)
    ViewTally.objects.filter(hour__lt=now - timedelta(days=TALLY_DAYS)).delete()
    return ReaderView.objects.filter(counted_at__lt=now - window).delete()[0]


def hour_of(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def add_to_tally(article_id, hour, views=1):
    """Add views to the article's tally for that hour: one atomic upsert."""
    table = connection.ops.quote_name(ViewTally._meta.db_table)
    sql = (
        f"INSERT INTO {table} (article_id, hour, views) VALUES (%s, %s, %s) "
        f"ON CONFLICT (article_id, hour) DO UPDATE SET views = {table}.views + excluded.views"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [article_id, connection.ops.adapt_datetimefield_value(hour), views])


def _first_view_in_window(article_id, reader, now):
    """Mark the reader's view; True when no view of theirs counted within the window.

    One statement: insert the mark, or move an expired one forward. The unique
    (article, reader) constraint makes concurrent duplicates wait and then see the
    fresh mark, so exactly one of them wins.
    """
    table = connection.ops.quote_name(ReaderView._meta.db_table)
    cutoff = now - timedelta(minutes=settings.NEWSROOM_VIEW_WINDOW_MINUTES)
    sql = (
        f"INSERT INTO {table} (article_id, reader, counted_at) VALUES (%s, %s, %s) "
        f"ON CONFLICT (article_id, reader) DO UPDATE SET counted_at = excluded.counted_at "
        f"WHERE {table}.counted_at < %s"
    )
    with connection.cursor() as cursor:
        adapt = connection.ops.adapt_datetimefield_value
        cursor.execute(sql, [article_id, reader, adapt(now), adapt(cutoff)])
        return cursor.rowcount == 1


def _buffered():
    return settings.NEWSROOM_VIEW_COUNTING == "redis"


def _stored_count(article_id):
    """The article's view count in the database, read on every page: one plain,
    prepared (on PostgreSQL) statement rather than a queryset compiled per view."""
    table = connection.ops.quote_name(Article._meta.db_table)
    with _prepared_cursor() as cursor:
        cursor.execute(f"SELECT view_count FROM {table} WHERE id = %s", [article_id])
        row = cursor.fetchone()
    return row[0] if row else 0


def _increment(article_id):
    """Add one to the article's total in the database; return the new total.

    One statement, ``UPDATE ... SET view_count = view_count + 1 ... RETURNING``:
    the database does the arithmetic, so concurrent increments cannot be lost.
    """
    table = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET view_count = view_count + 1 WHERE id = %s RETURNING view_count",
            [article_id],
        )
        return cursor.fetchone()[0]


def _prepared_cursor():
    """Django's cursor (health check, error translation, query logging) over a
    psycopg cursor that binds parameters on the server.

    psycopg prepares what such a cursor runs (the connection's prepare_threshold,
    see settings), so the counting statement is parsed and planned once per
    connection, not once per view: on this statement that is half of the
    database's CPU. Django's own cursors bind client-side and are never prepared.
    While queries are being logged (DEBUG, query-count tests) the statement goes
    through the ordinary cursor, whose log shows it with its values; so does
    every statement on other databases.
    """
    cursor = connection.cursor()
    if (
        connection.vendor == "postgresql"
        and connection.connection.prepare_threshold is not None
        and not connection.queries_logged
    ):
        from django.db.backends.postgresql.base import ServerBindingCursor

        cursor.cursor = ServerBindingCursor(connection.connection)
    return cursor


def _count_in_one_statement(article_id, reader, now):
    """PostgreSQL: mark, increment and tally in one statement, one round trip.

    The same three steps as the portable path, as a data-modifying CTE: the
    increment and the tally happen only if the mark was new or had expired. A
    single statement is atomic on its own. Returns (counted, view count to show).

    Every counted view updates the article's row, and the row stays locked until
    the commit is flushed to disk, so a hot article's readers would queue behind
    one WAL flush each. Unless NEWSROOM_VIEW_SYNCHRONOUS_COMMIT is set, the
    statement turns synchronous commit off for its own transaction (set_config
    with is_local): atomicity and exactness under concurrency are unchanged, and
    only a crash of the database server itself can forget the last fraction of a
    second of views (their marks with them, so those readers count again).
    """
    quote = connection.ops.quote_name
    marks, articles, tallies = (
        quote(model._meta.db_table) for model in (ReaderView, Article, ViewTally)
    )
    cutoff = now - timedelta(minutes=settings.NEWSROOM_VIEW_WINDOW_MINUTES)
    sql = f"""
        WITH mark AS (
            INSERT INTO {marks} (article_id, reader, counted_at) VALUES (%(id)s, %(reader)s, %(now)s)
            ON CONFLICT (article_id, reader) DO UPDATE SET counted_at = excluded.counted_at
            WHERE {marks}.counted_at < %(cutoff)s
            RETURNING 1
        ), bump AS (
            UPDATE {articles} SET view_count = view_count + 1
            WHERE id = %(id)s AND EXISTS (SELECT 1 FROM mark)
            RETURNING view_count
        ), tally AS (
            INSERT INTO {tallies} (article_id, hour, views)
            SELECT %(id)s, %(hour)s, 1 WHERE EXISTS (SELECT 1 FROM mark)
            ON CONFLICT (article_id, hour) DO UPDATE SET views = {tallies}.views + 1
        )
        SELECT (SELECT view_count FROM bump),
               (SELECT view_count FROM {articles} WHERE id = %(id)s),
               set_config('synchronous_commit', %(synchronous_commit)s, true)
    """
    params = {
        "id": article_id,
        "reader": reader,
        "now": now,
        "cutoff": cutoff,
        "hour": hour_of(now),
        "synchronous_commit": "on" if settings.NEWSROOM_VIEW_SYNCHRONOUS_COMMIT else "off",
    }
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params)
        bumped, stored, _ = cursor.fetchone()
    return (True, bumped) if bumped is not None else (False, stored or 0)


def record_view(request, article):
    """Count this visit to ``article`` if the rules allow; return whether it counted.

    Either way the article in hand ends up with the current ``view_count`` to
    show (it may come from a cache): including this visit when it counted, and
    views still buffered in Redis.
    """
    countable = is_countable(request) and article.is_published()
    if _buffered():
        counted, buffered = view_buffer.record_visit(
            article.pk,
            reader_fingerprint(request) if countable else None,
            settings.NEWSROOM_VIEW_WINDOW_MINUTES * 60,
            hour_of(timezone.now()),
        )
        article.view_count = _stored_count(article.pk) + buffered
        return counted
    if countable and connection.vendor == "postgresql":
        counted, article.view_count = _count_in_one_statement(
            article.pk, reader_fingerprint(request), timezone.now()
        )
        return counted
    counted = False
    if countable:
        reader = reader_fingerprint(request)
        now = timezone.now()
        # The mark and both counters commit together: a worker that dies half-way
        # neither loses the view nor leaves a mark without its count.
        with transaction.atomic(savepoint=False):
            if _first_view_in_window(article.pk, reader, now):
                article.view_count = _increment(article.pk)
                add_to_tally(article.pk, hour_of(now))
                counted = True
    if not counted:
        article.view_count = _stored_count(article.pk)
    return counted
