from celery import shared_task

from . import relay


@shared_task(name="dsrs.events.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    return relay.relay_pending(max_seconds=0.9)


@shared_task(name="dsrs.events.tasks.prune_outbox", ignore_result=True)
def prune_outbox() -> int:
    return relay.prune_sent()
