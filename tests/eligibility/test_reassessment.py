"""Re-assessment of a program: resumable after a crash, never publishing a decision twice."""

from collections import Counter

import pytest
from django.core.management import call_command

from dsrs.events.models import OutboxEvent
from eligibility.models import Assessment, Program, ReassessmentJob
from eligibility.services import reassessment, rule_set_create, rule_set_publish
from tests.eligibility.factories import HouseholdDataFactory, criterion, deliver, program_with_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    Program.objects.filter(code="4PS").update(status=Program.Status.SUSPENDED)
    return program_with_rules("GRANT", [criterion("poor", "pmt_score < 0.5")])


def decisions_published() -> Counter:
    return Counter(OutboxEvent.objects.filter(event_type__startswith="eligibility.assessment.")
                   .values_list("key", flat=True))


def test_a_reassessment_killed_midway_and_restarted_publishes_each_decision_once(program, monkeypatch):
    deliver(*[HouseholdDataFactory(pmt_score=s / 100) for s in range(20, 70, 2)])  # 25 households
    new_rules = rule_set_create(program=program, criteria=[criterion("poor", "pmt_score < 0.3")])
    job = rule_set_publish(rule_set=new_rules, reassess=False) or reassessment.reassessment_start(
        program=Program.objects.get(code="GRANT"))
    real_assess, chunks = reassessment.households_assess, Counter()

    def crashing_on_the_third_chunk(**kwargs):
        chunks["run"] += 1
        if chunks["run"] == 3:
            raise RuntimeError("worker killed")
        return real_assess(**kwargs)

    monkeypatch.setattr(reassessment, "households_assess", crashing_on_the_third_chunk)
    with pytest.raises(RuntimeError):
        reassessment.reassessment_run(job=job, chunk=5)
    job.refresh_from_db()
    assert (job.status, job.done) == ("running", 10)

    monkeypatch.setattr(reassessment, "households_assess", real_assess)
    finished = reassessment.reassessment_run(job=job, chunk=5)

    assert (finished.status, finished.done, finished.total) == ("done", 25, 25)
    # One decision per household under each rule set: the three chunks done before the crash not again.
    assert finished.decisions == 25
    assert set(decisions_published().values()) == {2} and len(decisions_published()) == 25
    assert Assessment.objects.filter(program_code="GRANT", rule_set_version=2, decision="approved").count() == 5


def test_publishing_runs_the_reassessment_as_a_background_task(program, monkeypatch, django_capture_on_commit_callbacks):
    from dsrs.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    deliver(*[HouseholdDataFactory(pmt_score=s) for s in (0.1, 0.35, 0.45)])
    new_rules = rule_set_create(program=program, criteria=[criterion("poor", "pmt_score < 0.3")])

    with django_capture_on_commit_callbacks(execute=True):
        job = rule_set_publish(rule_set=new_rules)

    job.refresh_from_db()
    assert (job.status, job.done, job.decisions) == ("done", 3, 3)
    assert list(Assessment.objects.filter(program_code="GRANT", is_latest=True).order_by("pmt_score")
                .values_list("rule_set_version", "decision")) == [(2, "approved"), (2, "denied"), (2, "denied")]


def test_the_reassess_command_shows_progress_and_a_second_run_decides_nothing(program, capsys):
    deliver(*[HouseholdDataFactory(pmt_score=s) for s in (0.1, 0.35, 0.6)])

    call_command("reassess", "--program", "GRANT")
    call_command("reassess", "--program", "GRANT")

    jobs = list(ReassessmentJob.objects.order_by("created_at").values_list("done", "decisions"))
    assert jobs == [(3, 0), (3, 0)]
    assert "3/3" in capsys.readouterr().err
