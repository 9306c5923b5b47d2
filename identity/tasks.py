from celery import shared_task
from django.core.management import call_command


@shared_task(name="identity.tasks.flush_expired_tokens", ignore_result=True)
def flush_expired_tokens() -> None:
    """Expired refresh tokens can no longer be used; their blacklist rows only take space."""
    call_command("flushexpiredtokens")
