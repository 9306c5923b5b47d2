from django.conf import settings


def topic_name(family: str) -> str:
    """The topic of an event family, e.g. `registry.household`, under this environment's prefix."""
    return f"{settings.EVENTS_TOPIC_PREFIX}{family}"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"
