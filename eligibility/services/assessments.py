"""Deciding households in programs: rule sets evaluated on the projection, new outcomes kept and published."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from dsrs.events.bulk import insert_objects
from dsrs.events.outbox import buffered as outbox_buffered

from .. import events
from ..models import Assessment, HouseholdFact, Program, RuleSet
from ..rules import CompiledRuleSet, compile_rule_set, household_context

_compiled: dict[UUID, CompiledRuleSet] = {}


def compiled_rule_set(rule_set: RuleSet) -> CompiledRuleSet:
    """Compiled once per published rule set (immutable, so the cache never goes stale); drafts every time."""
    if rule_set.status == RuleSet.Status.DRAFT:
        return _compile(rule_set)
    if rule_set.id not in _compiled:
        _compiled[rule_set.id] = _compile(rule_set)
    return _compiled[rule_set.id]


def _compile(rule_set: RuleSet) -> CompiledRuleSet:
    return compile_rule_set(criteria=rule_set.criteria, exclusions=rule_set.exclusions,
                            parameters=rule_set.parameters, region_parameters=rule_set.region_parameters)


@dataclass(frozen=True)
class Outcome:
    household: HouseholdFact
    passes: list[bool]
    context: dict
    compiled: CompiledRuleSet

    @property
    def approved(self) -> bool:
        return all(self.passes)

    @property
    def key(self) -> str:
        """The passes as a string ("1101"): compared with the latest assessment's, cheaply."""
        return "".join("1" if p else "0" for p in self.passes)

    def explanation(self) -> list[dict]:
        return self.compiled.explain(self.context, self.passes)


def outcomes(rule_set: RuleSet, households: list[HouseholdFact], *, day: date) -> list[Outcome]:
    """What the rule set decides for each household on `day`, changing nothing."""
    compiled = compiled_rule_set(rule_set)
    reads = compiled.reads
    params_by_region: dict[str, dict] = {}
    made = []
    for household in households:
        params = params_by_region.get(household.region_code)
        if params is None:
            params = params_by_region[household.region_code] = compiled.params_for(household.region_code)
        context = household_context(household, day=day, params=params, reads=reads)
        made.append(Outcome(household, compiled.evaluate(context), context, compiled))
    return made


def active_programs(*, day: date) -> list[Program]:
    return [p for p in Program.objects.filter(status=Program.Status.ACTIVE, current_rule_set__isnull=False)
            .select_related("current_rule_set") if p.runs_on(day)]


@transaction.atomic
def households_assess(*, households: list[HouseholdFact], day: date | None = None,
                      programs: list[Program] | None = None) -> list[Assessment]:
    """Assess households in every active program that runs in their region (or in `programs`).

    An assessment is made only where the household's version or the rule set differs from the latest
    assessment, or where the same facts now reach another outcome (an age crossed a boundary); a repeat
    makes nothing, so a replayed event or a restarted re-assessment publishes no decision twice.
    """
    day = day or timezone.localdate()
    made = []
    for program in active_programs(day=day) if programs is None else programs:
        in_region = [h for h in households if program.runs_in(h.region_code)]
        if in_region:
            made += _assess_in(program, in_region, day=day)
    return made


def _assess_in(program: Program, households: list[HouseholdFact], *, day: date) -> list[Assessment]:
    from .enrolments import enrolments_apply

    rule_set = program.current_rule_set
    latest = {a.household_id: a for a in Assessment.objects.filter(
        program_code=program.code, is_latest=True, household_id__in=[h.household_id for h in households])
        .only("id", "household_id", "household_version", "rule_set_version", "outcome")}
    made, superseded = [], []
    for outcome in outcomes(rule_set, households, day=day):
        household = outcome.household
        before = latest.get(household.household_id)
        if before is not None:
            if before.household_version > household.version:
                continue
            if (before.household_version == household.version and before.rule_set_version == rule_set.version
                    and before.outcome == outcome.key):
                continue
            superseded.append(before.id)
        made.append(_assessment(program, rule_set, outcome, day=day))
    if superseded:
        Assessment.objects.filter(id__in=superseded).update(is_latest=False)
    insert_objects(made)
    with outbox_buffered():
        for assessment in made:
            events.publish_assessment_decided(assessment)
        enrolments_apply(program=program, assessments=made, day=day)
    return made


def _assessment(program: Program, rule_set: RuleSet, outcome: Outcome, *, day: date) -> Assessment:
    household = outcome.household
    explanation = outcome.explanation()
    return Assessment(
        household_id=household.household_id, household_version=household.version, program_code=program.code,
        rule_set_version=rule_set.version,
        decision=Assessment.Decision.APPROVED if outcome.approved else Assessment.Decision.DENIED,
        reasons=[item["label"] for item in explanation if not item["passed"]],
        explanation=explanation, outcome=outcome.key, region_code=household.region_code,
        province_code=household.province_code, municipality_code=household.municipality_code,
        barangay_code=household.barangay_code, pmt_score=household.pmt_score,
        pmt_model_version=household.pmt_model_version, monthly_income=household.monthly_income,
        rule={"rule_set_id": str(rule_set.id), "version": rule_set.version,
              "params": compiled_rule_set(rule_set).params_for(household.region_code)},
        source_event_id=household.source_event_id, assessed_on=day)


@transaction.atomic
def households_changed(*, changes, day: date | None = None) -> list[Assessment]:
    """Household events in: the projection keeps the newest facts, and those households are re-assessed."""
    from .facts import household_facts_record

    return households_assess(households=household_facts_record(changes=changes), day=day)
