"""The relay: moves committed outbox rows to the transport, in order, in batches."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from operator import itemgetter

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from . import failpoints, metrics, registry, tracing
from .models import ConsumerOffset, OutboxEvent
from .records import OutboxRecord, record_of
from .transports import get_transport

logger = logging.getLogger(__name__)


# Any constant works; it names the lock that lets one relay at a time send.
_RELAY_LOCK_KEY = 0x44535259


def _take_the_relay_turn() -> bool:
    """Whether this relay may send now: only one at a time does, so that events leave in id order.

    Several relays may run (for failover and the Celery beat task beside `relay_outbox --follow`);
    the others find the lock taken and try again on their next run. The lock ends with the transaction.
    SQLite needs none: it lets one writer at a time in already.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_RELAY_LOCK_KEY])
        return cursor.fetchone()[0]


def _claim(limit: int) -> list[OutboxRecord]:
    """Claim and mark sent up to `limit` unsent rows in id order, answering their records in id order.

    On PostgreSQL one statement does both: the rows are locked (SKIP LOCKED: rows another relay holds
    are left to it) and marked inside the relay's transaction, so if the batch is not sent the
    transaction is rolled back and they are unsent again. No model instances, no JSON: the stored
    record is sent as it is.
    """
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.wrap_database_errors:
            return _claimed_on(connection.connection, limit)
    claimed = list(OutboxEvent.objects.filter(sent_at__isnull=True).order_by("id")
                   .values_list("id", "topic", "key", "value", "headers", "stored_envelope")[:limit])
    OutboxEvent.objects.filter(id__in=[row[0] for row in claimed]).update(sent_at=timezone.now())
    return [record_of(*row) for row in claimed]


def _claimed_on(conn: psycopg.Connection, limit: int) -> list[OutboxRecord]:
    """The claim statement on a psycopg connection, in its open transaction; the records in id order."""
    with psycopg.Cursor(conn) as cursor:
        # psycopg's binary protocol (which Django's client-side cursors lack): the values arrive as
        # their bytes, not as hex text twice their size.
        claimed = cursor.execute(_CLAIM, [limit], binary=True).fetchall()
    claimed.sort(key=itemgetter(0))  # RETURNING keeps no order
    return [record_of(*row) for row in claimed]


_TABLE = OutboxEvent._meta.db_table
_CLAIM = f"""
    WITH claimed AS (
        SELECT id FROM {_TABLE} WHERE sent_at IS NULL ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
    )
    UPDATE {_TABLE} AS row SET sent_at = now() FROM claimed WHERE row.id = claimed.id
    RETURNING row.id, row.topic, row.key, row.value, row.headers,
              CASE WHEN row.value IS NULL OR row.headers IS NULL THEN row.envelope END
"""


class _BatchSize:
    """Rows to claim next: EVENTS_RELAY_BATCH_SIZE at most, fewer when records are large, so that a
    batch holds about EVENTS_RELAY_BATCH_BYTES (measured on the batches sent so far)."""

    def __init__(self):
        self.record_bytes = 0.0

    def rows(self, most: int) -> int:
        if not self.record_bytes:
            return most
        return max(1, min(most, int(settings.EVENTS_RELAY_BATCH_BYTES / self.record_bytes)))

    def observe(self, batch: list[OutboxRecord]) -> None:
        size = sum(len(r.value) for r in batch) / len(batch) + 200  # about the key and headers
        self.record_bytes = size if not self.record_bytes else 0.8 * self.record_bytes + 0.2 * size


_batch_size = _BatchSize()


def relay_once(*, batch_size: int | None = None) -> int:
    """Send one batch of unsent outbox rows; answer how many the transport accepted.

    One relay at a time holds the turn, and it claims rows in id order with SELECT ... FOR UPDATE
    SKIP LOCKED, so no row is sent twice on purpose and the events of one household leave in the order
    they were written. A relay that dies before its transaction commits leaves the rows unsent, and the
    next run sends them again (consumers drop the duplicates); rows the transport did not accept are
    marked unsent again before the commit.
    """
    transport = get_transport()
    started = time.monotonic()
    with transaction.atomic():
        if not _take_the_relay_turn():
            return 0
        batch = _claim(_batch_size.rows(batch_size or settings.EVENTS_RELAY_BATCH_SIZE))
        if not batch:
            return 0
        with tracing.relay_span(batch, transport.name):
            sent_ids = transport.send(batch)
        failpoints.reach("relay.after_send")
        if len(sent_ids) < len(batch):
            accepted = set(sent_ids)
            OutboxEvent.objects.filter(id__in=[r.id for r in batch if r.id not in accepted]).update(sent_at=None)
    _batch_size.observe(batch)
    metrics.observe_relay(transport.name, len(sent_ids), time.monotonic() - started)
    if len(sent_ids) < len(batch):
        raise RelayIncomplete(f"the transport accepted {len(sent_ids)} of {len(batch)} events; the rest stay queued")
    return len(sent_ids)


class RelayIncomplete(RuntimeError):
    pass


_UNMARK = f"UPDATE {_TABLE} SET sent_at = NULL WHERE id = ANY(%s)"


def pipelined() -> bool:
    """Whether this relay can claim its next batch while the broker acknowledges the current one."""
    return connection.vendor == "postgresql" and get_transport().name == "kafka"


class RelayPipeline:
    """The relay for a long run on PostgreSQL and Kafka: while the broker acknowledges one batch, the
    next is claimed on a second connection, so the database's work and the broker's overlap.

    What `relay_once` guarantees stays: one relay at a time holds the turn (the same advisory lock,
    held by this relay's own connection for the length of a `run`), rows are claimed in id order with
    SKIP LOCKED and marked sent in a transaction that commits only after the broker has taken the
    batch, and the next batch is produced only after that commit. A batch the broker did not take
    whole is marked unsent again, the batch claimed meanwhile is rolled back, unsent, and the run ends
    with RelayIncomplete, as `relay_once` does; a crash rolls both transactions back.
    """

    def __init__(self):
        params = connection.get_connection_params()
        self._turn = psycopg.connect(autocommit=True, **params)
        self._claimers = [psycopg.connect(**params), psycopg.connect(**params)]
        self._ahead = ThreadPoolExecutor(1, thread_name_prefix="relay-claim")

    def close(self) -> None:
        self._ahead.shutdown(wait=True)
        for conn in (self._turn, *self._claimers):
            try:
                conn.close()
            except psycopg.Error:  # a connection the database already dropped is closed
                pass

    def __enter__(self) -> RelayPipeline:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, *, batch_size: int | None = None, max_seconds: float | None = None,
            stop=None) -> int:
        """Send batches until the outbox is empty, `max_seconds` have passed or `stop` is set;
        answer how many events the broker took. 0 when another relay has the turn."""
        if not self._turn.execute("SELECT pg_try_advisory_lock(%s)", [_RELAY_LOCK_KEY]).fetchone()[0]:
            return 0
        try:
            return self._send_all(batch_size or settings.EVENTS_RELAY_BATCH_SIZE,
                                  None if max_seconds is None else time.monotonic() + max_seconds, stop)
        finally:
            self._turn.execute("SELECT pg_advisory_unlock(%s)", [_RELAY_LOCK_KEY])

    def _send_all(self, most: int, deadline: float | None, stop) -> int:
        transport = get_transport()
        current, following = self._claimers
        batch, total = _claim_on(current, _batch_size.rows(most)), 0
        while batch:
            started = time.monotonic()
            more = (deadline is None or started < deadline) and not (stop is not None and stop.is_set())
            ahead = self._ahead.submit(_claim_on, following, _batch_size.rows(most)) if more else None
            try:
                with tracing.relay_span(batch, transport.name):
                    sent_ids = transport.send(batch)
                failpoints.reach("relay.after_send")
                accepted = set(sent_ids)
                unsent = [r.id for r in batch if r.id not in accepted]
                if unsent:
                    with psycopg.Cursor(current) as cursor:
                        cursor.execute(_UNMARK, [unsent])
                current.commit()
            except BaseException:
                _roll_back(current)
                _abandon(ahead, following)
                raise
            _batch_size.observe(batch)
            metrics.observe_relay(transport.name, len(sent_ids), time.monotonic() - started)
            total += len(sent_ids)
            if unsent:
                _abandon(ahead, following)
                raise RelayIncomplete(f"the transport accepted {len(sent_ids)} of {len(batch)} events; "
                                      "the rest stay queued")
            batch = ahead.result() if ahead else []
            current, following = following, current
        return total


def _claim_on(conn: psycopg.Connection, limit: int) -> list[OutboxRecord]:
    """`_claim` on a connection of the pipeline's own; its transaction stays open while it holds rows."""
    try:
        records = _claimed_on(conn, limit)
        if not records:
            conn.rollback()
    except BaseException:
        _roll_back(conn)
        raise
    return records


def _roll_back(conn: psycopg.Connection) -> None:
    try:
        conn.rollback()
    except psycopg.Error:  # the connection is gone, and its transaction with it
        pass


def _abandon(ahead: Future | None, conn: psycopg.Connection) -> None:
    """Give back the batch claimed ahead: wait for its claim, then roll it back (its rows are unsent)."""
    if ahead is None:
        return
    try:
        ahead.result()
    except Exception:  # the claim failed and rolled itself back
        pass
    _roll_back(conn)


def relay_all(*, batch_size: int | None = None, max_seconds: float | None = None, stop=None) -> int:
    """Relay until the outbox is empty (or the time is up, or `stop`): pipelined where it can be."""
    if pipelined():
        with RelayPipeline() as pipeline:
            return pipeline.run(batch_size=batch_size, max_seconds=max_seconds, stop=stop)
    return _relay_in_turn(batch_size=batch_size, max_seconds=max_seconds, stop=stop)


def relay_pending(*, max_seconds: float = 0.9) -> int:
    """Relay batches until the outbox is empty or the time is up (one beat of the scheduler), one
    `relay_once` after another (a Celery worker keeps no pipeline's connections between beats)."""
    return _relay_in_turn(max_seconds=max_seconds)


def _relay_in_turn(*, batch_size: int | None = None, max_seconds: float | None = None, stop=None) -> int:
    sent, deadline = 0, None if max_seconds is None else time.monotonic() + max_seconds
    while (deadline is None or time.monotonic() < deadline) and not (stop is not None and stop.is_set()):
        count = relay_once(batch_size=batch_size)
        sent += count
        if not count:
            break
    return sent


def prune_sent(*, batch_size: int | None = None, max_batches: int = 100) -> int:
    """Delete sent rows older than the retention, a bounded batch at a time.

    On the `local` transport the outbox is the log, so a row also stays until every consumer group
    has read past it.
    """
    batch_size = batch_size or settings.EVENTS_PRUNE_BATCH_SIZE
    cutoff = timezone.now() - timedelta(seconds=settings.EVENTS_OUTBOX_RETENTION_SECONDS)
    prunable = OutboxEvent.objects.filter(sent_at__lt=cutoff)
    if get_transport().name == "local":
        groups = [registry.group_id(group) for group in registry.groups()]
        offsets = ConsumerOffset.objects.filter(consumer_group__in=groups)
        if offsets.count() < len(groups):
            return 0
        newest = OutboxEvent.objects.aggregate(newest=Max("position"))["newest"] or 0
        # The newest position stays: the next one is counted from it.
        prunable = prunable.filter(position__lte=offsets.aggregate(low=Min("position"))["low"],
                                   position__lt=newest)
    deleted = 0
    for _ in range(max_batches):
        ids = list(prunable.order_by("id").values_list("id", flat=True)[:batch_size])
        if not ids:
            break
        deleted += OutboxEvent.objects.filter(id__in=ids).delete()[0]
    if deleted:
        logger.info("pruned %d sent outbox events", deleted)
    return deleted
