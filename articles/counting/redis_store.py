"""
View counting in Redis, for deployments that run past one machine.

A reader's mark is a key that expires with the window (``SET NX EX``), a client
address's views of an article are a counter that expires with its own window
(``INCR``, then ``EXPIRE`` when it is new), and
counted views pile up in Redis hashes (article id -> views not yet in the
database, and "article id@hour" -> views for the hourly tallies). A visit is one
script, one round trip: mark, buffer and read back what the page must add to the
database's count. ``manage.py flush_view_counts`` moves the buffer into
``Article.view_count`` and ``ViewTally``.

The flush is exactly-once even if it dies at any point:

1. The pending hashes are renamed to a batch of their own and the batch id is
   recorded in a set, in one atomic script. New views go on into fresh hashes.
2. The batch's counts are added in one database transaction, which also records
   the batch id in ``FlushedViewBatch``.
3. The batch is deleted from Redis and the flush generation moves on, in one
   MULTI: a visit sees either the batch in flight (and asks the database for
   the stored count) or the new generation (``StoredCounts``).

A flush that dies before step 2 commits leaves the batch in Redis, and the next
flush applies it; one that dies after leaves the batch id in the database, and
the next flush only deletes the batch.

Keys start with the cache's ``KEY_PREFIX``, so sites sharing one Redis keep apart.
The rule (who counts, the window, the hour) is decided by ``articles.counting``;
this module only stores.
"""

import time
import uuid
from datetime import datetime

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import F
from redis.backoff import NoBackoff
from redis.retry import Retry

from articles.models import Article, FlushedViewBatch

from . import database

_client = None


class TooLate(redis.RedisError):
    """A visit reached Redis after its deadline, and was not counted there."""


# What a Redis that is down, hung, refusing or late raises: the rule then counts in
# the database instead (articles.counting).
UNAVAILABLE = (redis.RedisError, OSError)


# How long counting waits for Redis's answer, and how long after it is sent a
# visit may still be counted there: Redis that counts a visit answers before the
# caller gives up and counts it in the database instead (which would count it
# twice). Longer than the cache's timeouts, because a visit that misses its
# deadline under load is sent to the database for a while; it is paid once per
# ``newsroom.degraded.RETRY_AFTER_SECONDS`` by one visit per worker when Redis
# hangs. Assumes the clocks of the app servers and Redis agree to within the margin.
SOCKET_TIMEOUT_SECONDS = 0.25
DEADLINE_SECONDS = 0.2


_CLAIM_PENDING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  if redis.call('EXISTS', KEYS[3]) == 1 then
    redis.call('RENAME', KEYS[3], KEYS[4])
  end
  redis.call('SADD', KEYS[5], ARGV[1])
  return 1
end
return 0
"""


# One visit in one round trip: unless the visit comes too late, the address is
# at its cap or the reader's mark under yesterday's salt is still there, mark the reader (if the visit may count), buffer the view if the
# mark is new and add it to the address's counter; then read what is buffered for
# the article, pending and in flight. Atomic like every script, so the mark, the
# address's counter and the buffered view go together, and a capped address
# writes nothing. A visit that reaches Redis after its deadline (Redis was hung,
# and the caller has counted it in the database meanwhile) changes nothing and
# answers {-1}.
# KEYS: seen mark ("" when the visit cannot count), pending, pending tally, batches,
# address counter ("" for no cap), flush generation, the reader's mark under the
# day before's salt ("" for none).
# ARGV: article id, tally field, window in seconds, batch key prefix, address
# limit, address window in seconds, deadline in milliseconds since the epoch
# ("" for none).
_RECORD_VISIT = """
if ARGV[7] ~= '' then
  local now = redis.call('TIME')
  if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(ARGV[7]) then
    return {-1}
  end
end
local counted = 0
local open = (KEYS[5] == '' or tonumber(redis.call('GET', KEYS[5]) or '0') < tonumber(ARGV[5]))
  and (KEYS[7] == '' or redis.call('EXISTS', KEYS[7]) == 0)
if KEYS[1] ~= '' and open and redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[3]) then
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
  redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
  if KEYS[5] ~= '' and redis.call('INCR', KEYS[5]) == 1 then
    redis.call('EXPIRE', KEYS[5], ARGV[6])
  end
  counted = 1
end
local result = {counted, redis.call('HGET', KEYS[2], ARGV[1]) or '0', redis.call('GET', KEYS[6]) or '0'}
for _, batch in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  table.insert(result, batch)
  table.insert(result, redis.call('HGET', ARGV[4] .. batch, ARGV[1]) or '0')
end
return result
"""
_record_visit = None


def client():
    global _client
    if _client is None:
        # Short socket timeouts and no retries: a hung Redis must cost a visit
        # tens of milliseconds, after which the visit is counted in the database.
        _client = redis.Redis.from_url(
            settings.REDIS_URL,
            retry=Retry(NoBackoff(), 0),
            **{
                **getattr(settings, "REDIS_CONNECTION_OPTIONS", {}),
                "socket_timeout": SOCKET_TIMEOUT_SECONDS,
            },
        )
    return _client


def _key(*parts):
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return ":".join([prefix, "views", *map(str, parts)])


def pending_key():
    return _key("pending")


def pending_tally_key():
    return _key("pending-tally")


def batch_key(batch_id):
    return _key("batch", batch_id)


def batch_tally_key(batch_id):
    return _key("batch-tally", batch_id)


def batches_key():
    return _key("batches")


def address_key(article_id, address):
    return _key("address", article_id, address)


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
    """Count a visit by ``reader`` (None: this visit cannot count) unless a
    visit of theirs to the article (as ``reader``, or as ``earlier``, their mark
    under the day before's salt) counted within ``window``, or ``address``
    already had ``address_limit`` views of it counted in its ``address_window``.

    Returns ``(counted, the article's view count)``: the database's count plus
    the views still buffered here.
    """
    counted, buffered, generation, settled = record_visit(
        article_id,
        reader,
        int(window.total_seconds()),
        hour,
        earlier=earlier,
        address=address,
        address_limit=address_limit,
        address_window_seconds=int(address_window.total_seconds()) if address_window else 0,
    )
    stored = (
        stored_counts.get(article_id, generation)
        if settled
        else database.stored_count(article_id)  # a flush in flight: ask the database
    )
    return counted, stored + buffered


def record_visit(
    article_id,
    reader=None,
    window_seconds=0,
    hour=None,
    earlier=None,
    address=None,
    address_limit=0,
    address_window_seconds=0,
):
    """Count a visit if ``reader`` (None: this visit cannot count) has no view of
    the article within the window and ``address`` (None: no cap) is under its
    cap; return ``(counted, views still buffered, the flush generation, whether
    no flush is in flight)``."""
    global _record_visit
    deadline = int((time.time() + DEADLINE_SECONDS) * 1000) if reader is not None else ""
    if _record_visit is None or _record_visit.registered_client is not client():
        _record_visit = client().register_script(_RECORD_VISIT)  # EVALSHA, loaded once
    reply = _record_visit(
        keys=[
            _key("seen", article_id, reader) if reader is not None else "",
            pending_key(),
            pending_tally_key(),
            batches_key(),
            address_key(article_id, address) if reader is not None and address else "",
            generation_key(),
            _key("seen", article_id, earlier) if reader is not None and earlier else "",
        ],
        args=[
            article_id,
            f"{article_id}@{hour.isoformat()}" if reader is not None else "",
            window_seconds,
            batch_key(""),
            address_limit,
            max(1, address_window_seconds),
            deadline,
        ],
    )
    if int(reply[0]) == -1:
        raise TooLate("the visit reached Redis after its deadline (Redis hung, or clocks apart)")
    counted, pending, generation, in_flight = (
        bool(reply[0]),
        int(reply[1]),
        int(reply[2]),
        reply[3:],
    )
    batches = {
        batch.decode(): int(views)
        for batch, views in zip(in_flight[::2], in_flight[1::2], strict=True)
    }
    return counted, pending + sum(_not_yet_applied(batches).values()), generation, not batches


def _not_yet_applied(batches):
    """Of ``{batch id: views}`` in flight, those the database does not hold yet."""
    if not batches:
        return batches
    applied = set(
        FlushedViewBatch.objects.filter(batch_id__in=batches).values_list("batch_id", flat=True)
    )
    return {batch: views for batch, views in batches.items() if batch not in applied}


def buffered_views(article_id):
    """Views counted but not yet in the database: pending, plus batches in flight
    (only while a flush runs, or after one died) that the database does not hold."""
    return record_visit(article_id)[1]


def generation_key():
    return _key("generation")


class StoredCounts:
    """The database's view counts, remembered per flush generation.

    Only a flush changes a count in the database while Redis counts, and each
    flush moves the generation on in the same transaction that releases its
    batch; the visit script reads the generation with the buffer. So while no
    flush is in flight, the count stored for an article in this generation is
    the database's, and a visit needs no database query at all.
    """

    SIZE = 10_000

    def __init__(self):
        self.counts = {}

    def get(self, article_id, generation):
        remembered = self.counts.get(article_id)
        if remembered is not None and remembered[0] == generation:
            return remembered[1]
        count = database.stored_count(article_id)
        if len(self.counts) >= self.SIZE:
            self.counts.clear()
        self.counts[article_id] = (generation, count)
        return count

    def clear(self):
        self.counts.clear()


stored_counts = StoredCounts()


def flush(on_stage=None):
    """Move every buffered view into the database; return the number of views moved.

    ``on_stage`` is called with the name of each step as it completes, so a test
    can stop the process between any two of them.
    """
    on_stage = on_stage or (lambda stage: None)
    r = client()
    leftover = sorted(b.decode() for b in r.smembers(batches_key()))
    batch_id = uuid.uuid4().hex
    claimed = r.eval(
        _CLAIM_PENDING,
        5,
        pending_key(),
        batch_key(batch_id),
        pending_tally_key(),
        batch_tally_key(batch_id),
        batches_key(),
        batch_id,
    )
    on_stage("claimed")
    moved = 0
    for batch in leftover + ([batch_id] if claimed else []):
        counts = {int(k): int(v) for k, v in r.hgetall(batch_key(batch)).items()}
        tallies = [
            (int(article_id), datetime.fromisoformat(hour), int(views))
            for field, views in r.hgetall(batch_tally_key(batch)).items()
            for article_id, hour in [field.decode().split("@", 1)]
        ]
        with transaction.atomic():
            _, created = FlushedViewBatch.objects.get_or_create(batch_id=batch)
            if created:
                existing = set(Article.objects.filter(pk__in=counts).values_list("pk", flat=True))
                for article_id, views in counts.items():
                    Article.objects.filter(pk=article_id).update(view_count=F("view_count") + views)
                for article_id, hour, views in tallies:
                    if article_id in existing:
                        database.add_to_tally(article_id, hour, views)
                moved += sum(counts.values())
        on_stage("committed")
        with r.pipeline() as pipe:  # MULTI: visits see the batch, or the new generation
            pipe.delete(batch_key(batch), batch_tally_key(batch))
            pipe.srem(batches_key(), batch)
            pipe.incr(generation_key())
            pipe.execute()
        on_stage("released")
    return moved
