from django.db import models

from . import records


class OutboxEvent(models.Model):
    """An event written in the same transaction as the state change it announces.

    The relay sends unsent rows in id order. On the `local` transport the outbox is also the log:
    the relay gives each sent row a `position`, and consumer groups read rows by position.
    """

    # Not indexed: nothing reads the outbox by event id on the hot path, and every index costs each insert.
    event_id = models.UUIDField()
    topic = models.CharField(max_length=200)
    key = models.CharField(max_length=200, help_text="aggregate id; events of one key stay in order")
    event_type = models.CharField(max_length=200)
    # The record as the relay sends it, made once on publish (dsrs/events/records.py). It is the whole
    # event, so the envelope is stored only for a row without it (a header holding a NUL, a row written
    # by an older version or by hand): parsing every envelope into jsonb was the largest cost of
    # writing an event. `envelope` reads the event either way.
    value = models.BinaryField(null=True, blank=True, help_text="the record's value: the event's data as JSON")
    headers = models.BinaryField(null=True, blank=True, help_text="the record's headers: name NUL value NUL ...")
    stored_envelope = models.JSONField(null=True, blank=True, db_column="envelope",
                                       help_text="the whole envelope, for a row whose value and headers cannot hold it")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    position = models.BigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], name="outbox_unsent_idx", condition=models.Q(sent_at__isnull=True)),
            # Sent rows only (pruning reads them by age): an index that also held the unsent rows
            # tempted the planner to fetch and sort every unsent row for each claim, instead of
            # reading the first few from outbox_unsent_idx in id order.
            models.Index(fields=["sent_at"], name="outbox_sent_idx", condition=models.Q(sent_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"

    @property
    def envelope(self) -> dict:
        """The event's envelope, from the record or as stored."""
        return records.stored_envelope(self.value, self.headers, self.stored_envelope)


class InboxEvent(models.Model):
    """Each event a consumer group has applied, so that a second delivery is skipped."""

    consumer_group = models.CharField(max_length=100)
    event_id = models.UUIDField()
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consumer_group", "event_id"], name="inbox_once_per_group")]

    def __str__(self):
        return f"{self.consumer_group} {self.event_id}"


class ConsumerOffset(models.Model):
    """The `local` transport's committed offset: the last log position a group has finished."""

    consumer_group = models.CharField(max_length=100, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.consumer_group} @ {self.position}"


class DeadLetter(models.Model):
    """An event a consumer group gave up on: unreadable, against its contract, or failing every retry.

    On the `kafka` transport the same dead letter is also produced to `<topic>.dlq`; this table is the
    operators' index that the `dlq` command and the admin work from.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        REPLAYED = "replayed", "Replayed"

    consumer_group = models.CharField(max_length=100)
    event_id = models.CharField(max_length=100, help_text="the event's id, or a placeholder if unreadable")
    event_type = models.CharField(max_length=200, blank=True)
    topic = models.CharField(max_length=200)
    partition = models.IntegerField(default=0)
    offset = models.BigIntegerField(default=0)
    key = models.CharField(max_length=200, blank=True)
    payload = models.TextField(help_text="the event exactly as it was delivered")
    headers = models.JSONField(default=dict, blank=True)
    error_type = models.CharField(max_length=200)
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["consumer_group", "event_id"], name="dead_letter_once_per_group")
        ]
        indexes = [models.Index(fields=["status", "topic"], name="dead_letter_status_topic_idx")]

    def __str__(self):
        return f"{self.consumer_group}: {self.event_type or 'unreadable'} {self.event_id}"
