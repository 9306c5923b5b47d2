"""The relay: moves committed outbox rows to the transport, in order, in batches."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from . import failpoints, metrics, registry, tracing
from .models import ConsumerOffset, OutboxEvent
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


def relay_once(*, batch_size: int | None = None) -> int:
    """Send one batch of unsent outbox rows; answer how many the transport accepted.

    One relay at a time holds the turn, and it claims rows in id order with SELECT ... FOR UPDATE
    SKIP LOCKED, so no row is sent twice on purpose and the events of one household leave in the order
    they were written. A relay that dies before marking its batch sent leaves the rows unsent, and the
    next run sends them again (consumers drop the duplicates).
    """
    transport = get_transport()
    started = time.monotonic()
    with transaction.atomic():
        if not _take_the_relay_turn():
            return 0
        rows = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True)
            .order_by("id")[: batch_size or settings.EVENTS_RELAY_BATCH_SIZE]
        )
        if not rows:
            return 0
        with tracing.relay_span(rows, transport.name):
            sent_ids = transport.send(rows)
        failpoints.reach("relay.after_send")
        OutboxEvent.objects.filter(id__in=sent_ids).update(sent_at=timezone.now())
    metrics.observe_relay(transport.name, len(sent_ids), time.monotonic() - started)
    if len(sent_ids) < len(rows):
        raise RelayIncomplete(f"the transport accepted {len(sent_ids)} of {len(rows)} events; the rest stay queued")
    return len(sent_ids)


class RelayIncomplete(RuntimeError):
    pass


def relay_pending(*, max_seconds: float = 0.9) -> int:
    """Relay batches until the outbox is empty or the time is up (one beat of the scheduler)."""
    sent, deadline = 0, time.monotonic() + max_seconds
    batch_size = settings.EVENTS_RELAY_BATCH_SIZE
    while time.monotonic() < deadline:
        count = relay_once(batch_size=batch_size)
        sent += count
        if count < batch_size:
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
