"""The relay: moves committed outbox rows to the transport, in order, in batches."""

from __future__ import annotations

import logging
import time
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
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            # psycopg's binary protocol (which Django's client-side cursors lack): the values arrive as
            # their bytes, not as hex text twice their size.
            claimed = cursor.execute(_CLAIM, [limit], binary=True).fetchall()
        claimed.sort(key=itemgetter(0))  # RETURNING keeps no order
    else:
        claimed = list(OutboxEvent.objects.filter(sent_at__isnull=True).order_by("id")
                       .values_list("id", "topic", "key", "value", "headers", "stored_envelope")[:limit])
        OutboxEvent.objects.filter(id__in=[row[0] for row in claimed]).update(sent_at=timezone.now())
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


def relay_pending(*, max_seconds: float = 0.9) -> int:
    """Relay batches until the outbox is empty or the time is up (one beat of the scheduler)."""
    sent, deadline = 0, time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        count = relay_once()
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
