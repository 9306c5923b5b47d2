"""The event kernel: the only code every app may import.

Apps publish with `publish()` inside their transaction and consume with `@subscribe(...)` handlers.
"""

from .envelope import Event, MalformedEvent  # noqa: F401
from .registry import subscribe  # noqa: F401

# Imported lazily because they touch models, which need the app registry ready.


def publish(event_type: str, *, subject: str, data: dict, version: int = 1) -> Event:
    from .outbox import publish as _publish

    return _publish(event_type, subject=subject, data=data, version=version)


def __getattr__(name):
    if name == "TransientError":
        from .runtime import TransientError

        return TransientError
    raise AttributeError(name)
