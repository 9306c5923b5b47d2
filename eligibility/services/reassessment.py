"""Re-assessing every household of a program's regions in bounded, resumable chunks.

Each chunk is one transaction: its assessments, enrolment changes, outbox rows and the job's position
(`last_household_id`) commit together. A job killed midway resumes after its last committed chunk; and
since an assessment is made only for a new outcome, a chunk done twice would publish nothing again.
"""

from datetime import date
from typing import Callable

from django.db import transaction
from django.utils import timezone

from ..models import HouseholdFact, Program, ReassessmentJob
from .assessments import compiled_rule_set, households_assess, latest_assessments
from .facts import fact_rows

CHUNK = 2000


def _households(program: Program):
    facts = HouseholdFact.objects.all()
    return facts.filter(region_code__in=program.regions) if program.regions else facts


@transaction.atomic
def reassessment_start(*, program: Program, day: date | None = None) -> ReassessmentJob:
    """A job to re-assess the program's households with its published rule set, on `day` (today)."""
    if program.current_rule_set_id is None:
        raise ValueError(f"program {program.code} has no published rule set")
    return ReassessmentJob.objects.create(program_code=program.code,
                                          rule_set_version=program.current_rule_set.version,
                                          assessed_on=day or timezone.localdate(),
                                          total=_households(program).count())


def reassessment_run(*, job: ReassessmentJob, chunk: int = CHUNK,
                     progress: Callable[[ReassessmentJob], None] | None = None) -> ReassessmentJob:
    """Run (or resume) a job to its end; `progress` is called after each committed chunk."""
    ReassessmentJob.objects.filter(pk=job.pk, status__in=["pending", "failed"]).update(status="running", error="")
    while True:
        with transaction.atomic():
            job = ReassessmentJob.objects.select_for_update().get(pk=job.pk)
            if job.status == ReassessmentJob.Status.DONE:
                return job
            program = Program.objects.select_related("current_rule_set").get(code=job.program_code)
            if program.current_rule_set is None or program.current_rule_set.version != job.rule_set_version:
                job.status, job.error = ReassessmentJob.Status.DONE, "superseded by another rule set"
                job.finished_at = timezone.now()
                job.save()
                return job
            households = _households(program).order_by("household_id")
            if job.last_household_id is not None:
                households = households.filter(household_id__gt=job.last_household_id)
            households = fact_rows(households[:chunk],
                                    members=compiled_rule_set(program.current_rule_set).reads_members)
            if households:
                latest = {program.code: latest_assessments(
                    program_code=program.code, after=job.last_household_id, through=households[-1].household_id)}
                made = households_assess(households=households, day=job.assessed_on, programs=[program],
                                         latest=latest)
                job.done += len(households)
                job.decisions += len(made)
                job.last_household_id = households[-1].household_id
            else:
                job.status, job.finished_at = ReassessmentJob.Status.DONE, timezone.now()
                job.done = max(job.done, job.total)
            job.save()
        if progress:
            progress(job)
        if job.status == ReassessmentJob.Status.DONE:
            return job
