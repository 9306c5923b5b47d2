from celery import shared_task

from . import services


@shared_task(name="registry.tasks.rescore_households", ignore_result=True)
def rescore_households(household_ids: list[str] | None = None) -> int:
    """Rescore households (every one by default) with the active PMT model, after a model is activated."""
    return services.households_rescore(household_ids=household_ids, reason="PMT model activated: rescored")


@shared_task(name="registry.tasks.prune_idempotency_keys", ignore_result=True)
def prune_idempotency_keys() -> int:
    """Forget the Idempotency-Keys older than REGISTRY_IDEMPOTENCY_KEY_HOURS."""
    from .idempotency import idempotency_keys_prune

    return idempotency_keys_prune()
