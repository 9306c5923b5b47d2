import multiprocessing
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection, connections
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


def rule_set_preview(*, rule_set: RuleSet, day: date | None = None, workers: int | None = None) -> Preview:
    """What publishing `rule_set` would decide, against the program's decisions now, changing nothing.

    Per region and in total: newly eligible, still eligible, losing eligibility, still ineligible; the
    inclusion error (eligible but above the poverty cut-off, the parameter `pmt_cutoff` or `max_pmt_score`),
    the exclusion error (under it but not eligible), and the monthly cost at the program's nominal benefit.
    "Eligible now" is the household's latest assessment in the program (what the published rule set
    decided, and what its enrolment follows); the draft is evaluated by the very evaluator re-assessment
    uses, on the same projection and day, so publishing then does exactly what the preview says. No
    explanation is built: only whether each household passes. On PostgreSQL, outside a transaction, the
    households are shared by id range among `workers` forked processes (ELIGIBILITY_PREVIEW_WORKERS).
    """
    from .services.assessments import compiled_rule_set

    day = day or timezone.localdate()
    program = rule_set.program
    published = program.current_rule_set if program.current_rule_set_id != rule_set.id else None
    part = _PreviewPart(evaluator=compiled_rule_set(rule_set).evaluator(day=day), program=program,
                        against=published is not None)
    preview = Preview(rule_set.version, published.version if published else None, day, 0)
    workers = preview_workers(workers)
    ranges = _id_ranges(part.facts(), workers) if workers > 1 else [(None, None)]
    if len(ranges) > 1:
        parts = _in_processes(part, ranges)
    else:
        parts = [part.count(None, None)]
    for regions, households in parts:
        preview.households += households
        for region, counts in regions.items():
            preview.regions.setdefault(region, PreviewCounts()).add(counts)
    preview.regions = dict(sorted(preview.regions.items()))
    for counts in preview.regions.values():
        preview.total.add(counts)
    return preview


def preview_workers(workers: int | None = None) -> int:
    """Processes for a preview: several only on PostgreSQL and outside a transaction (which forked
    processes could neither see nor join)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, workers if workers is not None else settings.ELIGIBILITY_PREVIEW_WORKERS)


def _id_ranges(facts: QuerySet, parts: int) -> list[tuple]:
    """`parts` (after, through] household id ranges of about equal size, in order (None: no bound)."""
    count = facts.count()
    size = -(-count // parts)
    ids = facts.order_by("household_id").values_list("household_id", flat=True)
    bounds = [ids[i * size - 1] for i in range(1, parts) if i * size < count]
    return list(zip([None, *bounds], [*bounds, None]))


_part: "_PreviewPart | None" = None


def _count_range(bounds: tuple) -> tuple[dict, int]:
    try:
        return _part.count(*bounds)
    finally:
        connections.close_all()


def _in_processes(part: "_PreviewPart", ranges: list[tuple]) -> list[tuple[dict, int]]:
    global _part
    context = multiprocessing.get_context("fork")
    connections.close_all()  # a forked child must not share the parent's connection
    _part = part
    try:
        with context.Pool(len(ranges)) as pool:
            return pool.map(_count_range, ranges)
    finally:
        _part = None


@dataclass
class _PreviewPart:
    """Counting the households of one id range (all of them: None, None)."""

    evaluator: object
    program: object
    against: bool

    def facts(self) -> QuerySet:
        facts = HouseholdFact.objects.order_by("household_id")
        return facts.filter(region_code__in=self.program.regions) if self.program.regions else facts

    def count(self, after, through) -> tuple[dict, int]:
        from .services.facts import lean_rows

        evaluator, amount = self.evaluator, self.program.benefit_amount or Decimal("0")
        facts = self.facts()
        if through is not None:
            facts = facts.filter(household_id__lte=through)
        eligible_now = set()
        if self.against:
            approved = Assessment.objects.filter(program_code=self.program.code, is_latest=True,
                                                 decision=Assessment.Decision.APPROVED)
            if after is not None:
                approved = approved.filter(household_id__gt=after)
            if through is not None:
                approved = approved.filter(household_id__lte=through)
            eligible_now = set(approved.values_list("household_id", flat=True))
        regions, cutoffs, households, last = {}, {}, 0, after
        while True:
            chunk = lean_rows((facts.filter(household_id__gt=last) if last else facts)[:PREVIEW_CHUNK],
                              facts=evaluator.household_facts, members=evaluator.reads_members)
            if not chunk:
                break
            last = chunk[-1].household_id
            households += len(chunk)
            for household in chunk:
                region = household.region_code
                counts = regions.get(region)
                if counts is None:
                    counts = regions[region] = PreviewCounts()
                    params = evaluator.params_for(region)
                    cutoff = next((params[p] for p in CUTOFF_PARAMETERS if p in params), None)
                    cutoffs[region] = None if cutoff is None else float(cutoff)
                approved = evaluator.approves(household)
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
        return regions, households


def regional_decisions() -> dict:
    """Latest decisions per program and region (for comparing a preview with what publishing did)."""
    counts = defaultdict(lambda: defaultdict(int))
    for program, region, decision in Assessment.objects.filter(is_latest=True).values_list(
            "program_code", "region_code", "decision"):
        counts[program, region][decision] += 1
    return counts
