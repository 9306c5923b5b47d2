"""Operations on dead letters: what the `dlq` command and the admin call."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dsrs.querying import filtered

from .envelope import Event, MalformedEvent
from .models import DeadLetter
from .outbox import append


class NotReplayable(ValueError):
    pass


def dead_letters_select(*, ids: list[int] | None = None, topic: str | None = None, group: str | None = None,
                        status: str | None = DeadLetter.Status.PENDING) -> QuerySet[DeadLetter]:
    return filtered(DeadLetter.objects.order_by("id"), id__in=ids, topic=topic, consumer_group=group, status=status)


def dead_letter_event(dead_letter: DeadLetter) -> Event:
    """The original event of a dead letter, unchanged; NotReplayable if it was never readable."""
    try:
        return Event.from_json(dead_letter.payload)
    except MalformedEvent as exc:
        raise NotReplayable(f"dead letter {dead_letter.id} holds no readable event: {exc}") from exc


@transaction.atomic
def dead_letter_replay(*, dead_letter: DeadLetter) -> Event:
    """Republish the original event (same id) through the outbox and mark the dead letter replayed.

    Every group subscribed to the topic receives it again; those that applied it already find it in
    their inbox, so only the group that dead-lettered it applies it.
    """
    event = dead_letter_event(dead_letter)
    append(event)
    dead_letter.status = DeadLetter.Status.REPLAYED
    dead_letter.replayed_at = timezone.now()
    dead_letter.save(update_fields=["status", "replayed_at", "updated_at"])
    return event


@transaction.atomic
def dead_letters_purge(*, dead_letters: QuerySet[DeadLetter]) -> int:
    return dead_letters.delete()[0]
