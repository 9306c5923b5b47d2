"""Which consumer group handles which event types: filled by each app's `handlers.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from .envelope import Event
from .topics import topic_name

Handler = Callable[[Event], None]
BatchHandler = Callable[[list[Event]], None]


@dataclass(frozen=True)
class Subscription:
    group: str
    event_type: str
    handler: Handler | BatchHandler
    batch: bool = False


_subscriptions: dict[str, dict[str, Subscription]] = {}


def subscribe(*, group: str, event_type: str, batch: bool = False):
    """Register `handler` as the way consumer group `group` applies events of `event_type`.

    With `batch=True` the handler takes a list: the consecutive events of a consumed batch that it
    handles, in delivery order, so that it can read and write them in a few statements. It must give
    the same result as applying them one by one (when an event fails, the runtime retries each event
    alone, as a list of one).
    """

    def register(handler):
        handlers = _subscriptions.setdefault(group, {})
        existing = handlers.get(event_type)
        if existing and existing.handler is not handler:
            raise ValueError(f"group {group!r} already handles {event_type!r} with {existing.handler!r}")
        handlers[event_type] = Subscription(group, event_type, handler, batch)
        return handler

    return register


def groups() -> list[str]:
    return sorted(_subscriptions)


def subscription_for(group: str, event_type: str) -> Subscription | None:
    return _subscriptions.get(group, {}).get(event_type)


def topics_for(group: str) -> list[str]:
    if group not in _subscriptions:
        raise KeyError(f"no consumer group {group!r}; known groups: {', '.join(groups()) or 'none'}")
    return sorted({topic_name(".".join(t.split(".")[:2])) for t in _subscriptions[group]})


def group_id(group: str) -> str:
    """The broker-side name of a group (prefixed, so several environments can share one cluster)."""
    return f"{settings.EVENTS_GROUP_PREFIX}{group}"
