"""
View counting in the database: one implementation for SQLite and PostgreSQL,
and on PostgreSQL the same steps as one statement (``make bench`` shows it pays).

A counted visit is four statements in one transaction: the reader's mark (an
upsert on the unique (article, reader) row that only moves an expired mark
forward, and writes nothing for an address at its cap), the address's tally (an
upsert that refuses past the cap), ``UPDATE ... SET view_count = view_count + 1 ... RETURNING`` and the
hourly tally's upsert. The database does the arithmetic and the unique row
makes concurrent duplicates wait and then see the fresh mark, so counts stay
exact across every worker process. The mark and both counters commit together:
a worker that dies half-way neither loses the view nor leaves a mark without
its count.

The rule (who counts, the window, the hour, the cap per address) is decided by ``articles.counting``;
this module only stores.
"""

from contextlib import contextmanager

from django.db import connection, transaction

from articles.models import (
    AddressViews,
    Article,
    FlushedViewBatch,
    ReaderSalt,
    ReaderView,
    ViewTally,
)

# How long counting a view waits for SQLite's write lock, in milliseconds. Another
# writer (a comment, an editor's save, a backup) may hold it for seconds; a page
# must not wait that long for its count. Everything else keeps the long timeout.
COUNTING_LOCK_WAIT_MS = 500


@contextmanager
def short_lock_wait(milliseconds=COUNTING_LOCK_WAIT_MS):
    """On SQLite, wait at most ``milliseconds`` for the write lock within the block,
    then raise "database is locked"; the connection's own timeout is restored
    afterwards. Set on the driver's connection: a setting, not a query."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    usual = int(float(connection.settings_dict["OPTIONS"].get("timeout", 5)) * 1000)
    driver.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA busy_timeout = {usual}")


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def record(
    article_id,
    reader,
    now,
    hour,
    window,
    earlier=None,
    address=None,
    address_limit=0,
    address_window=None,
):
    """Count a visit by ``reader`` (None: this visit cannot count) at ``now``
    unless a visit of theirs to the article (as ``reader``, or as ``earlier``,
    their mark under the day before's salt) counted within ``window``, or
    ``address`` already had ``address_limit`` views of it counted in its
    ``address_window``.

    Returns ``(counted, the article's view count)``.
    """
    if reader is None:
        return False, stored_count(article_id)
    cap = (address, address_limit, now - address_window) if address is not None else None
    if connection.vendor == "postgresql":
        return _record_in_one_statement(article_id, reader, earlier, now, hour, now - window, cap)
    with transaction.atomic(savepoint=False):
        if _mark_reader(article_id, reader, earlier, now, now - window, cap) and (
            cap is None or _add_to_address(article_id, now, *cap)
        ):
            views = _increment(article_id)
            add_to_tally(article_id, hour)
            return True, views
    return False, stored_count(article_id)


def _record_in_one_statement(article_id, reader, earlier, now, hour, cutoff, cap):
    """PostgreSQL: the same steps as one statement, one round trip.

    A data-modifying CTE: the mark is written only if the address is under its
    cap, the address's tally moves only if the mark was new or had expired, and
    the increment and the tally only if the address's tally moved; a single
    statement is atomic on its own. The tally's upsert decides on the row as
    it is once locked, so concurrent visits from one address never pass the
    cap (at the very edge a mark may be written for a visit that then did not
    count).

    Every counted view updates the article's row, which stays locked until the
    commit is flushed to disk, so a hot article's readers would queue behind one
    WAL flush each. The statement turns synchronous commit off for its own
    transaction only (``set_config`` with ``is_local``): atomicity and exactness
    under concurrency are unchanged, and only a crash of the database server
    itself can forget the last fraction of a second of views, their marks with
    them (so those readers count again). Comments and edits still wait.
    ``make bench`` measured this path at more than twice the portable one's rate
    on a hot article.
    """
    marks, articles, tallies = _table(ReaderView), _table(Article), _table(ViewTally)
    addresses = _table(AddressViews)
    address, limit, address_cutoff = cap or (None, 0, None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH open AS (
                SELECT 1 WHERE (%(address)s::text IS NULL OR NOT EXISTS (
                    SELECT 1 FROM {addresses}
                    WHERE article_id = %(id)s AND address = %(address)s
                      AND started_at >= %(address_cutoff)s AND views >= %(limit)s
                )) AND (%(earlier)s::text IS NULL OR NOT EXISTS (
                    SELECT 1 FROM {marks}
                    WHERE article_id = %(id)s AND reader = %(earlier)s
                      AND counted_at >= %(cutoff)s
                ))
            ), mark AS (
                INSERT INTO {marks} (article_id, reader, counted_at)
                SELECT %(id)s, %(reader)s, %(now)s WHERE EXISTS (SELECT 1 FROM open)
                ON CONFLICT (article_id, reader) DO UPDATE SET counted_at = excluded.counted_at
                WHERE {marks}.counted_at < %(cutoff)s
                RETURNING 1
            ), address AS (
                INSERT INTO {addresses} (article_id, address, started_at, views)
                SELECT %(id)s, %(address)s, %(now)s, 1
                WHERE %(address)s::text IS NOT NULL AND EXISTS (SELECT 1 FROM mark)
                ON CONFLICT (article_id, address) DO UPDATE SET
                    views = CASE WHEN {addresses}.started_at < %(address_cutoff)s
                                 THEN 1 ELSE {addresses}.views + 1 END,
                    started_at = CASE WHEN {addresses}.started_at < %(address_cutoff)s
                                      THEN excluded.started_at ELSE {addresses}.started_at END
                WHERE {addresses}.started_at < %(address_cutoff)s OR {addresses}.views < %(limit)s
                RETURNING 1
            ), counts AS (
                SELECT 1 WHERE EXISTS (SELECT 1 FROM mark)
                  AND (%(address)s::text IS NULL OR EXISTS (SELECT 1 FROM address))
            ), bump AS (
                UPDATE {articles} SET view_count = view_count + 1
                WHERE id = %(id)s AND EXISTS (SELECT 1 FROM counts)
                RETURNING view_count
            ), tally AS (
                INSERT INTO {tallies} (article_id, hour, views)
                SELECT %(id)s, %(hour)s, 1 WHERE EXISTS (SELECT 1 FROM counts)
                ON CONFLICT (article_id, hour) DO UPDATE SET views = {tallies}.views + 1
            )
            SELECT (SELECT view_count FROM bump),
                   (SELECT view_count FROM {articles} WHERE id = %(id)s),
                   set_config('synchronous_commit', 'off', true)
            """,
            {
                "id": article_id,
                "reader": reader,
                "earlier": earlier,
                "now": now,
                "cutoff": cutoff,
                "hour": hour,
                "address": address,
                "limit": limit,
                "address_cutoff": address_cutoff,
            },
        )
        bumped, stored, _ = cursor.fetchone()
    return (True, bumped) if bumped is not None else (False, stored or 0)


def _mark_reader(article_id, reader, earlier, now, cutoff, cap=None):
    """Insert the reader's mark, or move an expired one forward, unless their
    ``earlier`` mark is inside the window or the address in ``cap`` is at its
    cap; True when the mark was new or expired.

    The transaction is SQLite's alone (IMMEDIATE), so the tally read here is
    still the same when ``_add_to_address`` moves it.
    """
    table = _table(ReaderView)
    adapt = connection.ops.adapt_datetimefield_value
    address, limit, address_cutoff = cap or (None, 0, None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (article_id, reader, counted_at) SELECT %s, %s, %s "
            f"WHERE (%s IS NULL OR NOT EXISTS (SELECT 1 FROM {_table(AddressViews)} "
            f"WHERE article_id = %s AND address = %s AND started_at >= %s AND views >= %s)) "
            f"AND (%s IS NULL OR NOT EXISTS (SELECT 1 FROM {table} "
            f"WHERE article_id = %s AND reader = %s AND counted_at >= %s)) "
            f"ON CONFLICT (article_id, reader) DO UPDATE SET counted_at = excluded.counted_at "
            f"WHERE {table}.counted_at < %s",
            [
                article_id,
                reader,
                adapt(now),
                address,
                article_id,
                address,
                adapt(address_cutoff) if address_cutoff else None,
                limit,
                earlier,
                article_id,
                earlier,
                adapt(cutoff),
                adapt(cutoff),
            ],
        )
        return cursor.rowcount == 1


def _add_to_address(article_id, now, address, limit, cutoff):
    """Add a view to the address's tally, starting a new window when the last one
    is over; True unless the address is at its cap."""
    table = _table(AddressViews)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (article_id, address, started_at, views) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT (article_id, address) DO UPDATE SET "
            f"views = CASE WHEN {table}.started_at < %s THEN 1 ELSE {table}.views + 1 END, "
            f"started_at = CASE WHEN {table}.started_at < %s "
            f"THEN excluded.started_at ELSE {table}.started_at END "
            f"WHERE {table}.started_at < %s OR {table}.views < %s",
            [article_id, address, adapt(now), adapt(cutoff), adapt(cutoff), adapt(cutoff), limit],
        )
        return cursor.rowcount == 1


def _increment(article_id):
    """Add one to the article's total; return the new total, as the database
    computed it (no read-modify-write in Python)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Article)} SET view_count = view_count + 1 "
            f"WHERE id = %s RETURNING view_count",
            [article_id],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def add_to_tally(article_id, hour, views=1):
    """Add views to the article's tally for that hour: one atomic upsert."""
    table = _table(ViewTally)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (article_id, hour, views) VALUES (%s, %s, %s) "
            f"ON CONFLICT (article_id, hour) DO UPDATE SET views = {table}.views + excluded.views",
            [article_id, connection.ops.adapt_datetimefield_value(hour), views],
        )


def stored_count(article_id):
    """The article's view count as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT view_count FROM {_table(Article)} WHERE id = %s", [article_id])
        row = cursor.fetchone()
    return row[0] if row else 0


def purge(*, salts_before, marks_before, address_views_before, tallies_before, batches_before):
    """Delete what can no longer matter; return ``{what: rows deleted}``."""
    return {
        "salts": ReaderSalt.objects.filter(day__lt=salts_before).delete()[0],
        "reader marks": ReaderView.objects.filter(counted_at__lt=marks_before).delete()[0],
        "address tallies": AddressViews.objects.filter(
            started_at__lt=address_views_before
        ).delete()[0],
        "tallies": ViewTally.objects.filter(hour__lt=tallies_before).delete()[0],
        "flushed batches": FlushedViewBatch.objects.filter(flushed_at__lt=batches_before).delete()[
            0
        ],
    }
