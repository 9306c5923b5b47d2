"""Which consumer group handles which event types: filled by each app's `handlers.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from .envelope import Event
from .topics import topic_name

Handler = Callable[[Event], None]


@dataclass(frozen=True)
class Subscription:
    group: str
    event_type: str
    handler: Handler


_subscriptions: dict[str, dict[str, Subscription]] = {}


def subscribe(*, group: str, event_type: str) -> Callable[[Handler], Handler]:
    """Register `handler` as the way consumer group `group` applies events of `event_type`."""

    def register(handler: Handler) -> Handler:
        handlers = _subscriptions.setdefault(group, {})
        existing = handlers.get(event_type)
        if existing and existing.handler is not handler:
            raise ValueError(f"group {group!r} already handles {event_type!r} with {existing.handler!r}")
        handlers[event_type] = Subscription(group, event_type, handler)
        return handler

    return register


def groups() -> list[str]:
    return sorted(_subscriptions)


def handler_for(group: str, event_type: str) -> Handler | None:
    subscription = _subscriptions.get(group, {}).get(event_type)
    return subscription.handler if subscription else None


def topics_for(group: str) -> list[str]:
    if group not in _subscriptions:
        raise KeyError(f"no consumer group {group!r}; known groups: {', '.join(groups()) or 'none'}")
    return sorted({topic_name(".".join(t.split(".")[:2])) for t in _subscriptions[group]})


def group_id(group: str) -> str:
    """The broker-side name of a group (prefixed, so several environments can share one cluster)."""
    return f"{settings.EVENTS_GROUP_PREFIX}{group}"


@dataclass(frozen=True)
class BatchHooks:
    start: Callable[[], None]
    finish: Callable[[], None]


_batch_hooks: dict[str, list[BatchHooks]] = {}


def on_batch(*, group: str, start: Callable[[], None], finish: Callable[[], None]) -> None:
    """Let a group's handlers buffer their writes during a batch and make them at its end.

    `start` runs before the handlers of a batch (or of one retried event), `finish` after them, still
    inside the batch's database transaction: if `finish` raises, the batch is rolled back and retried.
    """
    _batch_hooks.setdefault(group, []).append(BatchHooks(start, finish))


def batch_started(group: str) -> None:
    for hooks in _batch_hooks.get(group, ()):
        hooks.start()


def batch_finished(group: str) -> None:
    for hooks in _batch_hooks.get(group, ()):
        hooks.finish()
