from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Max

from dsrs.events.outbox import buffered as outbox_buffered

from . import events
from .models import Assessment
from .rules import ThresholdRule


@dataclass(frozen=True)
class HouseholdFacts:
    """What eligibility knows of a household: only what the registry's events told it."""

    household_id: UUID
    version: int
    status: str
    region_code: str
    province_code: str
    municipality_code: str
    barangay_code: str
    household_size: int
    monthly_income: Decimal
    pmt_score: Decimal
    pmt_model_version: int


@transaction.atomic
def assessments_create(*, changes: list[tuple[HouseholdFacts, UUID]],
                       rule: ThresholdRule | None = None) -> list[Assessment]:
    """Assess household versions, each given with the id of the event that announced it.

    A version that is not newer than one already assessed (in the database or earlier in `changes`)
    is passed over: events of one household arrive in order, but a replayed old event must not undo a
    newer decision. Answers the assessments made.
    """
    rule = rule or ThresholdRule.from_settings()
    latest = dict(
        Assessment.objects.filter(household_id__in={f.household_id for f, _ in changes}, program_code=rule.program_code)
        .values("household_id").annotate(version=Max("household_version")).values_list("household_id", "version")
    )
    made = []
    for facts, source_event_id in changes:
        if facts.version <= latest.get(facts.household_id, 0):
            continue
        latest[facts.household_id] = facts.version
        decision, reasons = rule.evaluate(status=facts.status, pmt_score=facts.pmt_score,
                                          monthly_income=facts.monthly_income)
        made.append(Assessment(
            household_id=facts.household_id,
            household_version=facts.version,
            program_code=rule.program_code,
            decision=decision,
            reasons=reasons,
            region_code=facts.region_code,
            province_code=facts.province_code,
            municipality_code=facts.municipality_code,
            barangay_code=facts.barangay_code,
            pmt_score=facts.pmt_score,
            pmt_model_version=facts.pmt_model_version,
            monthly_income=facts.monthly_income,
            rule=rule.as_dict(),
            source_event_id=source_event_id,
        ))
    Assessment.objects.bulk_create(made)
    with outbox_buffered():
        for assessment in made:
            events.publish_assessment_decided(assessment)
    return made
