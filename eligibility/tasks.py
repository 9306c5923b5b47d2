from celery import shared_task


@shared_task(name="eligibility.tasks.reassessment_run", ignore_result=True)
def reassessment_run_task(job_id: str) -> None:
    """Run or resume a re-assessment job; the admin shows its progress (ReassessmentJob)."""
    from .models import ReassessmentJob
    from .services import reassessment_run

    job = ReassessmentJob.objects.get(pk=job_id)
    try:
        reassessment_run(job=job)
    except Exception as exc:
        ReassessmentJob.objects.filter(pk=job_id).update(status=ReassessmentJob.Status.FAILED, error=str(exc)[:2000])
        raise
