"""Deciding households in programs: rule sets evaluated on the projection, new outcomes kept and published.

Households travel as plain rows (services.facts.FactRow, or HouseholdFact instances), decisions as
`Decided` rows written by COPY: no model instance is made per household on the hot path.
"""

import json
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID, uuid4

from django.db import transaction
from django.utils import timezone

from dsrs.events.bulk import JSONText, insert_rows
from dsrs.events.outbox import buffered as outbox_buffered

from .. import events
from ..models import Assessment, Program, RuleSet
from ..rules import CompiledRuleSet, compile_rule_set

_compiled: dict[UUID, CompiledRuleSet] = {}
APPROVED, DENIED = Assessment.Decision.APPROVED.value, Assessment.Decision.DENIED.value


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


def outcome_key(passes: list[bool]) -> str:
    """The passes as a string ("1101"): the fingerprint compared with the latest assessment's."""
    return "".join("1" if p else "0" for p in passes)


class Decided(NamedTuple):
    """A new assessment as the row written and the fields its events and enrolment read."""

    id: UUID
    household_id: UUID
    household_version: int
    program_code: str
    rule_set_version: int
    decision: str
    reasons: list
    explanation: str  # JSON (bulk.JSONText), as stored
    outcome: str
    region_code: str
    province_code: str
    municipality_code: str
    barangay_code: str
    pmt_score: object
    pmt_model_version: int
    monthly_income: object
    rule: str  # JSON (bulk.JSONText)
    source_event_id: UUID
    assessed_on: date
    is_latest: bool
    assessed_at: datetime


ASSESSMENT_COLUMNS = Decided._fields
_REASONS = ASSESSMENT_COLUMNS.index("reasons")


def active_programs(*, day: date) -> list[Program]:
    return [p for p in Program.objects.filter(status=Program.Status.ACTIVE, current_rule_set__isnull=False)
            .select_related("current_rule_set") if p.runs_on(day)]


@transaction.atomic
def households_assess(*, households: list, day: date | None = None, programs: list[Program] | None = None,
                      latest: dict | None = None) -> list[Decided]:
    """Assess households (FactRows or HouseholdFacts) in every active program running in their region,
    or in `programs`.

    An assessment is made only where the household's version or the rule set differs from the latest
    assessment, or where the same facts now reach another outcome (an age crossed a boundary); a repeat
    makes nothing, so a replayed event or a restarted re-assessment publishes no decision twice.
    `latest` may give the latest assessments already read ({program code: {household id: (id, household
    version, rule set version, outcome, day)}}).
    """
    day = day or timezone.localdate()
    made = []
    for program in active_programs(day=day) if programs is None else programs:
        in_region = households if not program.regions else [h for h in households if program.runs_in(h.region_code)]
        if in_region:
            known = (latest or {}).get(program.code)
            made += _assess_in(program, in_region, day=day, latest=known)
    return made


def latest_assessments(*, program_code: str, household_ids=None, after=None, through=None) -> dict:
    """{household id: (assessment id, household version, rule set version, outcome, day assessed for)} of
    the latest assessments, for the given households or the id range (after, through]."""
    rows = Assessment.objects.filter(program_code=program_code, is_latest=True).order_by()
    if household_ids is not None:
        rows = rows.filter(household_id__in=household_ids)
    if after is not None:
        rows = rows.filter(household_id__gt=after)
    if through is not None:
        rows = rows.filter(household_id__lte=through)
    return {row[0]: row[1:] for row in rows.values_list("household_id", "id", "household_version",
                                                         "rule_set_version", "outcome", "assessed_on")}


def _assess_in(program: Program, households: list, *, day: date, latest: dict | None = None) -> list[Decided]:
    from .enrolments import enrolments_apply

    rule_set = program.current_rule_set
    compiled = compiled_rule_set(rule_set)
    evaluator = compiled.evaluator(day=day)
    if latest is None:
        latest = latest_assessments(program_code=program.code, household_ids=[h.household_id for h in households])
    now = timezone.now()
    rules: dict[str, JSONText] = {}
    reasons: dict[str, list] = {}
    labels = [c.label for c in compiled.criteria + compiled.exclusions]
    code, version, rule_set_id = program.code, rule_set.version, str(rule_set.id)
    made, superseded = [], []
    for household in households:
        before = latest.get(household.household_id)
        if before is not None and (before[1] > household.version or (
                before[1] == household.version and before[2] == version and before[4] == day)):
            # Older facts; or decided on these very facts (the projection keeps one content per version),
            # rules (a published rule set never changes) and day (ages): evaluating again would reach the
            # same outcome (the database would refuse a second assessment of that key anyway).
            continue
        passes, context = evaluator.evaluate(household)
        key = outcome_key(passes)
        if before is not None:
            if before[1] == household.version and before[2] == version and before[3] == key:
                continue
            superseded.append(before[0])
        region = household.region_code
        rule = rules.get(region)
        if rule is None:
            rule = rules[region] = JSONText(json.dumps({"rule_set_id": rule_set_id, "version": version,
                                                        "params": evaluator.params_for(region)},
                                                       separators=(",", ":")))
        failed = reasons.get(key)
        if failed is None:
            failed = reasons[key] = [label for label, passed in zip(labels, passes) if not passed]
        made.append(Decided(
            uuid4(), household.household_id, household.version, code, version,
            APPROVED if "0" not in key else DENIED, failed,
            JSONText(evaluator.explanation_json(context, passes, region)), key, region, household.province_code,
            household.municipality_code, household.barangay_code, household.pmt_score, household.pmt_model_version,
            household.monthly_income, rule, household.source_event_id, day, True, now))
    if superseded:
        Assessment.objects.filter(id__in=superseded).update(is_latest=False)
    # The reasons of one outcome are one list, serialised once (COPY takes the JSON text as it is).
    texts = {key: JSONText(json.dumps(failed, separators=(",", ":"))) for key, failed in reasons.items()}
    insert_rows(Assessment, ASSESSMENT_COLUMNS, [(*row[:_REASONS], texts[row.outcome], *row[_REASONS + 1:])
                                                 for row in made], binary=True)
    with outbox_buffered():
        events.publish_assessments_decided(made)
        enrolments_apply(program=program, assessments=made, day=day)
    return made


@transaction.atomic
def households_changed(*, changes, day: date | None = None) -> list[Decided]:
    """Household events in: the projection keeps the newest facts, and those households are re-assessed."""
    from .facts import household_facts_record

    return households_assess(households=household_facts_record(changes=changes), day=day)
