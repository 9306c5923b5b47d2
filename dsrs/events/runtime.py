"""The consumer runtime: poll a batch, apply each event once, retry, dead-letter, commit offsets.

For each batch, in one database transaction, the events not yet in the group's inbox are recorded
there and their handlers run; then the offsets are committed. A redelivered event is found in the
inbox and skipped. If any handler fails, the batch's transaction is rolled back and the batch is
applied again one event per transaction, retrying a failing event with backoff up to
EVENTS_MAX_ATTEMPTS times before it goes to the dead-letter path; the partition then moves on.
An event that cannot be read, or breaks its contract, goes to the dead-letter path at once.
Infrastructure failures (the broker, the database or another store unreachable) are never
dead-lettered: the batch is not committed, `consume` opens the consumer again after a backoff, and
the events are delivered again; meanwhile the group reports itself not ready.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection, connections, transaction
from django.utils import timezone

from dsrs.observability import bind_correlation_id, reset_correlation_id

from . import contracts, failpoints, metrics, outbox, registry, tracing
from .bulk import insert_rows, pg_array
from .envelope import CANONICAL_UUID, Event, MalformedEvent
from .models import DeadLetter, InboxEvent
from .transports import ConsumerSession, Delivery, get_transport

logger = logging.getLogger(__name__)


class TransientError(Exception):
    """Raised by a handler when a dependency is unavailable: retry later, never dead-letter."""


INFRASTRUCTURE_ERRORS = (OperationalError, InterfaceError, TransientError)


# One statement for a batch on PostgreSQL: the events this group has already dead-lettered (delivered
# again before their offsets were committed) are found and left out, and the others are recorded in the
# inbox; it answers the ids recorded now (canonical spelling) and the dead letters (as spelled).
_RECORD_IN_INBOX = f"""
    WITH letter AS (
        SELECT event_id, error_type, error, attempts FROM {DeadLetter._meta.db_table}
        WHERE consumer_group = %(group)s AND status = %(pending)s AND event_id = ANY(%(spelled)s::text[])
    ), recorded AS (
        INSERT INTO {InboxEvent._meta.db_table} (consumer_group, event_id, processed_at)
        SELECT %(group)s, batch.id, now() FROM unnest(%(ids)s::uuid[], %(spelled)s::text[]) AS batch(id, spelled)
        WHERE batch.spelled NOT IN (SELECT event_id FROM letter)
        ON CONFLICT (consumer_group, event_id) DO NOTHING
        RETURNING event_id::text
    )
    SELECT event_id, NULL, NULL, NULL FROM recorded
    UNION ALL
    SELECT event_id, error_type, error, attempts FROM letter
"""


@dataclass
class _Unreadable:
    delivery: Delivery
    error: Exception


@dataclass
class _Work:
    index: int  # the delivery's place in its batch
    delivery: Delivery
    event: Event
    subscription: registry.Subscription


def consume(group: str, stop: threading.Event, *, idle_sleep: float = 0.2, max_backoff: float = 10.0) -> None:
    """Run one consumer group until `stop`, through outages of any length of its broker or stores.

    A consumer that cannot open its session (the broker is down at start) or whose batch fails on an
    infrastructure error is closed and opened again after a backoff (0.5 s doubling up to
    `max_backoff`), so it starts again from the group's committed offsets: what was applied and not
    committed comes again and the inbox skips it. Meanwhile the group reports itself not ready.
    Any other error is a bug and stops the group.
    """
    metrics.set_ready(group, False)
    backoff = 0.5
    while not stop.is_set():
        runtime = None
        try:
            runtime = ConsumerRuntime(group)
            runtime.run(stop, idle_sleep=idle_sleep)
        except INFRASTRUCTURE_ERRORS + get_transport().unavailable_errors as exc:
            metrics.set_ready(group, False)
            if runtime is not None and runtime.was_ready:
                backoff = 0.5
            logger.warning("consumer group %s paused on %s: %s; opening again in %.1fs",
                           group, type(exc).__name__, exc, backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, max_backoff)
        finally:
            if runtime is not None:
                _close_quietly(runtime)
            connections.close_all()


def _close_quietly(runtime: ConsumerRuntime) -> None:
    try:
        runtime.close()
    except Exception as exc:  # a session that cannot say goodbye to a broker that is gone is still closed
        logger.warning("consumer group %s did not close cleanly: %s", runtime.group, exc)


class ConsumerRuntime:
    def __init__(self, group: str, *, session: ConsumerSession | None = None):
        self.group = group
        self.topics = registry.topics_for(group)
        self.transport = get_transport()
        self.session = session or self.transport.open_consumer(registry.group_id(group), self.topics)
        self.batch_size = settings.EVENTS_CONSUMER_BATCH_SIZE
        self.applied = 0
        self.duplicates = 0
        # What a dependency's outage raises: retried by `consume`, never dead-lettered.
        self.unavailable = INFRASTRUCTURE_ERRORS + self.transport.unavailable_errors
        self.healthy = self.was_ready = False
        # The next batch, polled and read while the database recorded the last one (Kafka only: the
        # local transport's poll reads the database itself).
        self.reads_ahead = self.transport.name == "kafka"
        self._ahead: tuple[list[Delivery], list[_Work | _Unreadable | None]] | None = None

    def close(self) -> None:
        self.session.close()

    # --- driving ----------------------------------------------------------------------------------
    def run(self, stop: threading.Event, idle_sleep: float = 0.2, probe_every: float = 15.0) -> None:
        """Consume until `stop`. A broker that goes away makes the group not ready (its probe fails),
        not the loop stop: the client reconnects by itself and polling resumes where it was."""
        logger.info("consumer group %s started on %s", self.group, ", ".join(self.topics))
        next_probe = time.monotonic()
        while not stop.is_set():
            if not self.poll_once(timeout=0.5):
                stop.wait(idle_sleep if self.transport.name == "local" else 0)
            if time.monotonic() >= next_probe:
                next_probe = time.monotonic() + (probe_every if self.probe() else min(probe_every, 2.0))
        logger.info("consumer group %s stopped", self.group)

    def probe(self) -> bool:
        """Check that the transport answers and measure the lag; answers (and reports) readiness."""
        try:
            self.transport.check(timeout=5)
            if self.session.ready():
                metrics.set_lag(self.group, self.session.lag())
        except self.unavailable as exc:
            if self.healthy:
                logger.warning("consumer group %s cannot reach %s, waiting for it: %s",
                               self.group, self.transport.name, exc)
            self.healthy = False
        else:
            if self.was_ready and not self.healthy:
                logger.info("consumer group %s reaches %s again", self.group, self.transport.name)
            self.healthy = self.was_ready = True
        metrics.set_ready(self.group, self.healthy)
        return self.healthy

    def drain(self, *, idle_polls: int = 2, timeout: float = 0.5, max_seconds: float = 120.0) -> int:
        """Apply everything available, returning once `idle_polls` polls in a row bring nothing.

        Polls that come before the group has handed this member its partitions do not count as idle.
        """
        applied, idle, deadline = 0, 0, time.monotonic() + max_seconds
        while not self.session.ready() and time.monotonic() < deadline:
            applied += self.poll_once(timeout=timeout)
        while idle < idle_polls and time.monotonic() < deadline:
            count = self.poll_once(timeout=timeout)
            applied += count
            idle = 0 if count else idle + 1
        return applied

    def poll_once(self, timeout: float = 0.5) -> int:
        close_old_connections()
        if self._ahead is not None:
            (deliveries, read), self._ahead = self._ahead, None
        else:
            deliveries = self.session.poll(self.batch_size, timeout)
            read = None
        if deliveries:
            self.process(deliveries, read=read, read_ahead=self.reads_ahead)
        return len(deliveries)

    # --- one batch --------------------------------------------------------------------------------
    def process(self, deliveries: list[Delivery], *, read: list[_Work | _Unreadable | None] | None = None,
                read_ahead: bool = False) -> None:
        """Apply a batch. With `read_ahead`, the next batch is polled and read while the database
        records this one in the inbox; it waits in `_ahead` for the next `poll_once`."""
        started = time.monotonic()
        work = []
        for item in self._read_all(deliveries) if read is None else read:
            if isinstance(item, _Unreadable):
                self._dead_letter(item.delivery, None, item.error, attempts=1)
            elif item is not None:
                work.append(item)
        if work:
            try:
                self._apply_batch(work, read_ahead=read_ahead)
            except INFRASTRUCTURE_ERRORS:
                raise
            except Exception:
                logger.info("batch of %d failed in group %s; applying one by one", len(work), self.group)
                for item in work:
                    self._apply_with_retries(item)
                    # Keep what is done: retries can outlast the broker's patience with this member,
                    # and whoever gets the partition next starts after the last commit.
                    self.session.commit(deliveries[: item.index + 1])
        failpoints.reach("consumer.after_db_commit")
        self.session.commit(deliveries)
        metrics.observe_batch(self.group, len(deliveries), time.monotonic() - started)

    def _read_all(self, deliveries: list[Delivery]) -> list[_Work | _Unreadable | None]:
        """Each delivery read as an event of this group, or why it cannot be; None for another group's
        event on a shared topic. Touches no store, so that it can run while a batch is being applied."""
        return [self._read(i, d) for i, d in enumerate(deliveries)]

    def _read(self, index: int, delivery: Delivery) -> _Work | _Unreadable | None:
        try:
            event = self.transport.decode(delivery)
            subscription = registry.subscription_for(self.group, event.type)
            if subscription is None:
                return None  # another group's event on a shared topic
            contracts.validate(event.type, event.schema_version, event.data)
        except (MalformedEvent, contracts.ContractViolation) as exc:
            return _Unreadable(delivery, exc)
        return _Work(index, delivery, event, subscription)

    def _read_ahead(self) -> None:
        deliveries = self.session.poll(self.batch_size, 0)
        self._ahead = (deliveries, self._read_all(deliveries)) if deliveries else None

    def _apply_batch(self, work: list[_Work], *, read_ahead: bool = False) -> None:
        """Apply a batch in one transaction. Events this group has dead-lettered already (delivered
        again before their offsets were committed) are sent down the dead-letter path again, not
        retried again, and taken out of `work`, so that a failed batch's one-by-one pass skips them too."""
        with transaction.atomic():
            with self._recording_in_inbox(work) as recorded:
                if read_ahead:
                    self._read_ahead()
                fresh_ids, letters = recorded()
            if letters:
                for item in work:
                    if (letter := letters.get(item.event.id)) is not None:
                        self.session.dead_letter(item.delivery, self._dead_letter_headers(
                            item.delivery, letter[0], letter[1].strip().splitlines()[-1:], letter[2]))
                work[:] = [w for w in work if w.event.id not in letters]
            fresh = []
            for item in work:
                if item.event.id in fresh_ids:
                    fresh_ids.discard(item.event.id)  # the same event twice in one batch is applied once
                    fresh.append(item)
            with outbox.buffered():
                for run in self._runs(fresh):
                    self._handle(run)
        self._count(len(fresh), len(work) - len(fresh))

    @contextmanager
    def _recording_in_inbox(self, work: list[_Work]):
        """Record the batch's events in the group's inbox, leaving out those it has dead-lettered.
        Yields a function answering (the ids recorded now, {id: (error type, error, attempts)} of the
        dead letters); until it is called the body may do other work.

        On PostgreSQL one statement does it, sent in pipeline mode so that the database runs it while
        the body works: an id another member of the group is recording at the same moment waits for
        it and counts as seen.
        """
        # Every id is a UUID (the envelope's check), though perhaps not spelled canonically ("{...}",
        # "urn:uuid:..."): the inbox holds the canonical spelling, dead letters the one delivered.
        ids = [w.event.id for w in work]
        spelled = {(i if CANONICAL_UUID.match(i) else str(uuid.UUID(i))): i for i in ids}
        if connection.vendor != "postgresql":
            letters = {letter.event_id: (letter.error_type, letter.error, letter.attempts)
                       for letter in DeadLetter.objects.filter(
                           consumer_group=self.group, status=DeadLetter.Status.PENDING, event_id__in=ids)}
            seen = {str(i) for i in InboxEvent.objects.filter(consumer_group=self.group, event_id__in=spelled)
                    .values_list("event_id", flat=True)}
            fresh = [i for i in spelled if i not in seen and spelled[i] not in letters]
            insert_rows(InboxEvent, ("consumer_group", "event_id", "processed_at"),
                        [(self.group, i, timezone.now()) for i in fresh])
            yield lambda: ({spelled[i] for i in fresh}, letters)
            return
        # The arrays go as one literal each (psycopg's list dumping cost more). The database answers each
        # id recorded in its canonical spelling.
        parameters = {"group": self.group, "pending": DeadLetter.Status.PENDING,
                      "ids": pg_array(spelled), "spelled": pg_array(spelled.values(), text=True)}
        connection.ensure_connection()
        with connection.wrap_database_errors, connection.connection.pipeline(), \
                psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(_RECORD_IN_INBOX, parameters)

            def answer():
                fresh, letters = set(), {}
                for event_id, error_type, error, attempts in cursor.fetchall():
                    if error_type is None:
                        fresh.add(spelled[event_id])
                    else:
                        letters[event_id] = (error_type, error, attempts)
                return fresh, letters

            yield answer

    def _apply_with_retries(self, item: _Work) -> None:
        max_attempts = settings.EVENTS_MAX_ATTEMPTS
        for attempt in range(1, max_attempts + 1):
            try:
                with transaction.atomic():
                    if InboxEvent.objects.filter(consumer_group=self.group, event_id=item.event.id).exists():
                        self._count(0, 1)
                        return
                    InboxEvent.objects.create(consumer_group=self.group, event_id=item.event.id)
                    self._handle([item])
                self._count(1, 0)
                return
            except INFRASTRUCTURE_ERRORS:
                if attempt == max_attempts:
                    raise
                error = None
            except Exception as exc:  # a handler's failure, whatever it is, must not stop the partition
                error = exc
                logger.warning("group %s failed %s (attempt %d/%d): %r",
                               self.group, item.event.id, attempt, max_attempts, exc)
                if attempt == max_attempts:
                    self._dead_letter(item.delivery, item.event, error, attempts=attempt)
                    return
            time.sleep(min(settings.EVENTS_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1),
                           settings.EVENTS_RETRY_BACKOFF_MAX_SECONDS))

    def _count(self, applied: int, duplicates: int) -> None:
        self.applied += applied
        self.duplicates += duplicates
        metrics.count_applied(self.group, applied, duplicates)

    @staticmethod
    def _runs(items: list[_Work]) -> list[list[_Work]]:
        """Split a batch into runs: consecutive events of one batch handler together, others alone."""
        runs: list[list[_Work]] = []
        for item in items:
            previous = runs[-1][-1].subscription if runs else None
            if item.subscription.batch and previous is not None and previous.handler is item.subscription.handler:
                runs[-1].append(item)
            else:
                runs.append([item])
        return runs

    def _handle(self, run: list[_Work]) -> None:
        first = run[0]
        token = bind_correlation_id(first.event.correlationid or first.event.id)
        try:
            events = [item.event for item in run]
            with tracing.consume_span(self.group, events):
                if first.subscription.batch:
                    first.subscription.handler(events)
                else:
                    first.subscription.handler(first.event)
        finally:
            reset_correlation_id(token)

    def _dead_letter_headers(self, delivery: Delivery, error_type: str, error, attempts: int) -> dict[str, str]:
        return {
            "dlq_error_type": error_type,
            "dlq_error": " ".join(error) if isinstance(error, list) else str(error)[:1000],
            "dlq_consumer_group": self.group,
            "dlq_original_topic": delivery.topic,
            "dlq_original_partition": str(delivery.partition),
            "dlq_original_offset": str(delivery.offset),
            "dlq_attempts": str(attempts),
        }

    def _dead_letter(self, delivery: Delivery, event: Event | None, error: Exception, *, attempts: int) -> None:
        # Whatever a misbehaving producer sent, the dead letter must fit its columns.
        event_id = (event.id if event else f"unreadable:{delivery.topic}:{delivery.partition}:{delivery.offset}")[:100]
        headers = self._dead_letter_headers(delivery, type(error).__name__, error, attempts)
        logger.error("group %s dead-letters %s from %s[%d]@%d after %d attempt(s): %s",
                     self.group, event_id, delivery.topic, delivery.partition, delivery.offset, attempts, error)
        with transaction.atomic():
            DeadLetter.objects.update_or_create(
                consumer_group=self.group,
                event_id=event_id,
                defaults={
                    "event_type": (event.type if event else delivery.headers.get("ce_type", ""))[:200],
                    "topic": delivery.topic[:200],
                    "partition": delivery.partition,
                    "offset": delivery.offset,
                    "key": (delivery.key or "")[:200],
                    "payload": (event.to_json() if event else (delivery.value or b"")).decode(errors="replace"),
                    "headers": delivery.headers,
                    "error_type": type(error).__name__,
                    "error": "".join(traceback.format_exception(error))[-8000:],
                    "attempts": attempts,
                    "status": DeadLetter.Status.PENDING,
                },
            )
        self.session.dead_letter(delivery, headers)
        metrics.count_dead_letter(self.group, delivery.topic)
