from functools import cache

from django.conf import settings

from .base import ConsumerSession, Delivery, Transport


@cache
def _build(name: str, bootstrap_servers: str) -> Transport:
    if name == "local":
        from .local import LocalTransport

        return LocalTransport()
    if name == "kafka":
        from .kafka import KafkaTransport

        return KafkaTransport(bootstrap_servers)
    raise ValueError(f"EVENTS_TRANSPORT must be 'local' or 'kafka', not {name!r}")


def get_transport() -> Transport:
    """The transport the settings name; one per process and configuration (it holds the producer)."""
    return _build(settings.EVENTS_TRANSPORT, settings.EVENTS_KAFKA_BOOTSTRAP_SERVERS)


__all__ = ["ConsumerSession", "Delivery", "Transport", "get_transport"]
