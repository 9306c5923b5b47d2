from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db import transaction

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
    household_size: int
    monthly_income: Decimal
    pmt_score: Decimal


@transaction.atomic
def assessment_create(*, facts: HouseholdFacts, source_event_id: UUID,
                      rule: ThresholdRule | None = None) -> Assessment | None:
    """Assess a household version; answer None if this or a newer version was assessed already.

    Events of one household arrive in order, but a replayed old event must not undo a newer decision.
    """
    rule = rule or ThresholdRule.from_settings()
    already = Assessment.objects.filter(
        household_id=facts.household_id, program_code=rule.program_code, household_version__gte=facts.version
    ).exists()
    if already:
        return None
    decision, reasons = rule.evaluate(status=facts.status, pmt_score=facts.pmt_score,
                                      monthly_income=facts.monthly_income)
    assessment = Assessment.objects.create(
        household_id=facts.household_id,
        household_version=facts.version,
        program_code=rule.program_code,
        decision=decision,
        reasons=reasons,
        region_code=facts.region_code,
        pmt_score=facts.pmt_score,
        monthly_income=facts.monthly_income,
        rule=rule.as_dict(),
        source_event_id=source_event_id,
    )
    events.publish_assessment_decided(assessment)
    return assessment
