from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from dsrs.querying import filtered, in_regions

from .models import Assessment, Enrolment, HouseholdFact, RuleSet

PREVIEW_CHUNK = 5000
CUTOFF_PARAMETERS = ("pmt_cutoff", "max_pmt_score")


def assessment_list(*, regions: frozenset[str] | None, household_id=None, decision: str | None = None,
                    region_code: str | None = None, program_code: str | None = None) -> QuerySet[Assessment]:
    return filtered(in_regions(Assessment.objects.all(), regions), household_id=household_id, decision=decision,
                    region_code=region_code, program_code=program_code)


def enrolment_list(*, regions: frozenset[str] | None, program_code: str | None = None, status: str | None = None,
                   region_code: str | None = None, household_id=None) -> QuerySet[Enrolment]:
    return filtered(in_regions(Enrolment.objects.all(), regions), program_code=program_code, status=status,
                    region_code=region_code, household_id=household_id)


@dataclass
class PreviewCounts:
    newly_eligible: int = 0
    still_eligible: int = 0
    losing_eligibility: int = 0
    still_ineligible: int = 0
    inclusion_error: int = 0
    exclusion_error: int = 0
    monthly_cost: Decimal = Decimal("0.00")

    def add(self, other: "PreviewCounts") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class Preview:
    rule_set_version: int
    against_version: int | None
    day: date
    households: int
    regions: dict[str, PreviewCounts] = field(default_factory=dict)
    total: PreviewCounts = field(default_factory=PreviewCounts)


def rule_set_preview(*, rule_set: RuleSet, day: date | None = None) -> Preview:
    """What publishing `rule_set` would decide, against the program's decisions now, changing nothing.

    Per region and in total: newly eligible, still eligible, losing eligibility, still ineligible; the
    inclusion error (eligible but above the poverty cut-off, the parameter `pmt_cutoff` or `max_pmt_score`),
    the exclusion error (under it but not eligible), and the monthly cost at the program's nominal benefit.
    "Eligible now" is the household's latest assessment in the program (what the published rule set
    decided, and what its enrolment follows); the draft is evaluated by the very evaluator re-assessment
    uses, on the same projection and day, so publishing then does exactly what the preview says. No
    explanation is built: only whether each household passes.
    """
    from .services.assessments import compiled_rule_set
    from .services.facts import fact_rows

    day = day or timezone.localdate()
    program = rule_set.program
    published = program.current_rule_set if program.current_rule_set_id != rule_set.id else None
    evaluator = compiled_rule_set(rule_set).evaluator(day=day)
    amount = program.benefit_amount or Decimal("0")
    preview = Preview(rule_set.version, published.version if published else None, day, 0)
    eligible_now = set(Assessment.objects.filter(program_code=program.code, is_latest=True,
                                                 decision=Assessment.Decision.APPROVED)
                       .values_list("household_id", flat=True)) if published else set()
    facts = HouseholdFact.objects.order_by("household_id")
    if program.regions:
        facts = facts.filter(region_code__in=program.regions)
    cutoffs, counts_of = {}, {}
    last = None
    while True:
        chunk = fact_rows((facts.filter(household_id__gt=last) if last else facts)[:PREVIEW_CHUNK])
        if not chunk:
            break
        last = chunk[-1].household_id
        for household in chunk:
            region = household.region_code
            counts = counts_of.get(region)
            if counts is None:
                counts = counts_of[region] = preview.regions[region] = PreviewCounts()
                params = evaluator.params_for(region)
                cutoff = next((params[p] for p in CUTOFF_PARAMETERS if p in params), None)
                cutoffs[region] = None if cutoff is None else float(cutoff)
            approved = all(evaluator.evaluate(household)[0])
            was = household.household_id in eligible_now
            if approved:
                counts.still_eligible += was
                counts.newly_eligible += not was
                counts.monthly_cost += amount
            else:
                counts.losing_eligibility += was
                counts.still_ineligible += not was
            cutoff = cutoffs[region]
            if cutoff is not None:
                poor = float(household.pmt_score) <= cutoff
                counts.inclusion_error += approved and not poor
                counts.exclusion_error += poor and not approved
        preview.households += len(chunk)
    for counts in preview.regions.values():
        preview.total.add(counts)
    return preview


def regional_decisions() -> dict:
    """Latest decisions per program and region (for comparing a preview with what publishing did)."""
    counts = defaultdict(lambda: defaultdict(int))
    for program, region, decision in Assessment.objects.filter(is_latest=True).values_list(
            "program_code", "region_code", "decision"):
        counts[program, region][decision] += 1
    return counts
