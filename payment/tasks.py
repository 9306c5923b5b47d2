from celery import shared_task

from . import services


@shared_task(name="payment.tasks.complete_scheduled_payments", ignore_result=True)
def complete_scheduled_payments() -> int:
    completed = 0
    while count := services.payments_complete_due():
        completed += count
    return completed
