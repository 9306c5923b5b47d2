"""The targeting simulation of a draft: it predicts, region by region, exactly what publishing then does."""

from collections import Counter
from decimal import Decimal

import pytest

from eligibility.models import Assessment, Enrolment, Program
from eligibility.selectors import rule_set_preview
from eligibility.services import reassessment_run, rule_set_create, rule_set_publish
from tests.eligibility.factories import CENTRAL_VISAYAS, NCR, HouseholdDataFactory, criterion, deliver, program_with_rules

pytestmark = pytest.mark.django_db


def test_the_previews_counts_equal_what_publishing_then_does_region_by_region():
    Program.objects.filter(code="4PS").update(status=Program.Status.SUSPENDED)
    program = program_with_rules("GRANT", [criterion("poor", "pmt_score <= params.pmt_cutoff")],
                                 parameters={"pmt_cutoff": 0.4}, benefit_amount=Decimal("500.00"))
    scores = [0.1, 0.25, 0.35, 0.45, 0.6]
    deliver(*[HouseholdDataFactory(pmt_score=s) for s in scores],
            *[HouseholdDataFactory(pmt_score=s, region_code=NCR, province_code="") for s in scores])
    draft = rule_set_create(program=program, criteria=[criterion("poor", "pmt_score <= params.pmt_cutoff"),
                                                       criterion("small", "household_size <= 8")],
                            parameters={"pmt_cutoff": 0.3}, region_parameters={NCR: {"pmt_cutoff": 0.5}})
    before = {r: Counter() for r in (CENTRAL_VISAYAS, NCR)}

    preview = rule_set_preview(rule_set=draft)
    assert Assessment.objects.filter(rule_set_version=2).count() == 0  # the preview changed nothing

    reassessment_run(job=rule_set_publish(rule_set=draft))
    for region in (CENTRAL_VISAYAS, NCR):
        counts = preview.regions[region]
        latest = Counter(Assessment.objects.filter(program_code="GRANT", is_latest=True, region_code=region)
                         .values_list("decision", flat=True))
        exits = Enrolment.objects.filter(program_code="GRANT", region_code=region, status="exited").count()
        assert (counts.newly_eligible + counts.still_eligible, counts.losing_eligibility + counts.still_ineligible,
                counts.losing_eligibility) == (latest["approved"], latest["denied"], exits)
        before[region] = counts
    assert (before[CENTRAL_VISAYAS].still_eligible, before[CENTRAL_VISAYAS].losing_eligibility) == (2, 1)
    assert (before[NCR].newly_eligible, before[NCR].still_eligible) == (1, 3)
    assert preview.total.monthly_cost == Decimal("500.00") * 6
    # Inclusion error under the draft's own cut-off is none by construction; exclusion error is none too.
    assert (preview.total.inclusion_error, preview.total.exclusion_error) == (0, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_preview_shared_among_processes_counts_what_one_process_counts():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("forked preview workers run on PostgreSQL only")
    Program.objects.filter(code="4PS").update(status=Program.Status.SUSPENDED)
    program = program_with_rules("GRANT", [criterion("poor", "pmt_score <= params.pmt_cutoff")],
                                 parameters={"pmt_cutoff": 0.4}, benefit_amount=Decimal("500.00"))
    deliver(*[HouseholdDataFactory(pmt_score=s / 40) for s in range(40)],
            *[HouseholdDataFactory(pmt_score=s / 40, region_code=NCR, province_code="") for s in range(0, 40, 3)])
    draft = rule_set_create(program=program, criteria=[criterion("poor", "pmt_score <= params.pmt_cutoff")],
                            parameters={"pmt_cutoff": 0.3}, region_parameters={NCR: {"pmt_cutoff": 0.5}})

    alone, shared = rule_set_preview(rule_set=draft, workers=1), rule_set_preview(rule_set=draft, workers=3)

    assert shared.households == alone.households == 54
    assert shared.regions == alone.regions and shared.total == alone.total
    assert (alone.total.still_eligible, alone.total.losing_eligibility, alone.total.newly_eligible) == (13 + 6, 4, 1)
