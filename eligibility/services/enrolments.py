"""Enrolment: approved households take the program's places in their region, poorest first; the rest wait.

Every transition goes through `_transition` (the table in eligibility/states.py): it writes the status,
a change row and exactly one `eligibility.enrolment.<status>` event.
"""

from collections import defaultdict
from datetime import date

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from dsrs.events.bulk import insert_objects

from .. import events, states
from .sql import server_binding_cursor
from ..models import Assessment, Enrolment, EnrolmentChange, Program

S = Enrolment.Status
PLACE_FIELDS = ("region_code", "province_code", "municipality_code", "barangay_code", "pmt_score")


class _Batch:
    """The enrolments one call changes, written together at the end."""

    def __init__(self, program: Program, day: date, actor=None):
        self.program, self.day, self.actor = program, day, actor
        self.now = timezone.now()
        self.new: dict = {}
        self.dirty: dict = {}
        self.changes: list[EnrolmentChange] = []
        self.events: list[tuple] = []

    def transition(self, enrolment: Enrolment, to_status: str, *, reason: str, assessment_id=None) -> None:
        from_status = enrolment.status
        states.check(from_status, to_status)
        enrolment.status, enrolment.reason, enrolment.version = to_status, reason[:500], enrolment.version + 1
        enrolment.status_changed_at = self.now
        enrolment.assessment_id = assessment_id or enrolment.assessment_id
        setattr(enrolment, f"{to_status}_on", self.day)
        if enrolment._state.adding:
            self.new[enrolment.id] = enrolment
        else:
            self.dirty[enrolment.id] = enrolment
        self.changes.append(EnrolmentChange(enrolment_id=enrolment.id, version=enrolment.version,
                                            from_status=from_status, to_status=to_status, reason=reason[:500],
                                            assessment_id=enrolment.assessment_id, actor=self.actor,
                                            changed_at=self.now))
        # The event's data as the enrolment stands now, published with the others by write().
        self.events.append(events.enrolment_event(enrolment, previous_status=from_status, program=self.program,
                                                  effective_on=self.day))

    def write(self) -> None:
        insert_objects(list(self.new.values()))
        _update(list(self.dirty.values()))
        insert_objects(self.changes)
        events.publish_grouped(self.events)


UPDATED_FIELDS = ("status", "reason", "version", "status_changed_at", "assessment_id", "enrolled_on", "waitlisted_on",
                  "suspended_on", "exited_on", *PLACE_FIELDS)
_TYPES = {"version": "integer", "status_changed_at": "timestamptz", "assessment_id": "uuid", "enrolled_on": "date",
          "waitlisted_on": "date", "suspended_on": "date", "exited_on": "date", "pmt_score": "numeric"}


def _update(enrolments: list[Enrolment]) -> None:
    """Write changed enrolments in one UPDATE ... FROM unnest(arrays) on PostgreSQL (bulk_update's CASE
    per row and column grows with the batch); bulk_update elsewhere."""
    if not enrolments:
        return
    if connection.vendor != "postgresql":
        Enrolment.objects.bulk_update(enrolments, UPDATED_FIELDS, batch_size=1000)
        return
    table, columns = Enrolment._meta.db_table, ("id", *UPDATED_FIELDS)
    arrays = ", ".join(f"%s::{_TYPES.get(name, 'uuid' if name == 'id' else 'text')}[]" for name in columns)
    sets = ", ".join(f"{name} = v.{name}" for name in UPDATED_FIELDS)
    with server_binding_cursor() as cursor:
        cursor.execute(f"UPDATE {table} AS e SET {sets} FROM unnest({arrays}) AS v({', '.join(columns)}) "
                       f"WHERE e.id = v.id", [[getattr(e, name) for e in enrolments] for name in columns])


def _locked(program_code: str, household_ids: list) -> list[Enrolment]:
    """The program's enrolments of these households, locked (FOR UPDATE). On PostgreSQL the ids go as one
    array bound on the server: an IN list of a chunk's 2,000 ids was built and quoted id by id."""
    if connection.vendor != "postgresql":
        return list(Enrolment.objects.select_for_update().filter(program_code=program_code,
                                                                 household_id__in=household_ids))
    names = [field.attname for field in Enrolment._meta.concrete_fields]
    with server_binding_cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(Enrolment._meta.get_field(n).column for n in names)} "
                       f"FROM {Enrolment._meta.db_table} WHERE program_code = %s AND household_id = ANY(%s) "
                       f"FOR UPDATE", [program_code, household_ids])
        return [Enrolment.from_db(connection.alias, names, row) for row in cursor.fetchall()]


def _exit_reason(assessment: Assessment) -> str:
    return "no longer qualifies: " + "; ".join(assessment.reasons)


@transaction.atomic
def enrolments_apply(*, program: Program, assessments: list[Assessment], day: date) -> None:
    """Follow the program's new assessments: exit those that stopped qualifying, place those that qualify.

    Places are counted per region under a lock on the program, so concurrent consumers never overfill a
    region; a place freed by an exit goes to the poorest household waiting in that region.
    """
    if not assessments:
        return
    program = Program.objects.select_for_update().get(pk=program.pk)
    batch = _Batch(program, day)
    existing = {e.household_id: e for e in _locked(program.code, [a.household_id for a in assessments])}
    candidates, regions, left = defaultdict(list), set(), defaultdict(int)
    for assessment in assessments:
        enrolment = existing.get(assessment.household_id)
        if enrolment is not None:
            for name in PLACE_FIELDS:
                setattr(enrolment, name, getattr(assessment, name))
        if assessment.decision == Assessment.Decision.DENIED:
            if enrolment is not None and enrolment.status in states.IN_PROGRAM:
                if enrolment.status in states.HOLDS_PLACE:
                    left[enrolment.region_code] += 1
                batch.transition(enrolment, S.EXITED, reason=_exit_reason(assessment), assessment_id=assessment.id)
                regions.add(enrolment.region_code)
            elif enrolment is not None:
                batch.dirty[enrolment.id] = enrolment
            continue
        if enrolment is None:
            enrolment = Enrolment(program_code=program.code, household_id=assessment.household_id,
                                  status=S.ELIGIBLE, status_changed_at=batch.now,
                                  **{name: getattr(assessment, name) for name in PLACE_FIELDS})
        if enrolment.status in states.IN_PROGRAM:
            batch.dirty[enrolment.id] = enrolment
            continue
        enrolment.assessment_id = assessment.id
        candidates[enrolment.region_code].append(enrolment)
        regions.add(enrolment.region_code)
    _place(batch, candidates, regions, left)
    batch.write()


def _place(batch: _Batch, candidates: dict, regions: set, left: dict) -> None:
    program = batch.program
    limited = {r for r in regions if program.places_in(r) is not None}
    held = dict(Enrolment.objects.filter(program_code=program.code, region_code__in=limited,
                                         status__in=states.HOLDS_PLACE)
                .values("region_code").annotate(n=Count("id")).values_list("region_code", "n"))
    for region in sorted(regions):
        queue = sorted(candidates.get(region, []), key=lambda e: (e.pmt_score, str(e.household_id)))
        if region not in limited:
            for enrolment in queue:
                batch.transition(enrolment, S.ENROLLED, reason="qualifies", assessment_id=enrolment.assessment_id)
            continue
        free = program.places_in(region) - (held.get(region, 0) - left.get(region, 0))
        if free > 0:
            in_batch = {e.id for e in queue} | set(batch.dirty) | set(batch.new)
            waiting = [e for e in Enrolment.objects.select_for_update().filter(
                program_code=program.code, region_code=region, status=S.WAITLISTED)
                .order_by("pmt_score", "household_id")[:free + len(in_batch)] if e.id not in in_batch]
            waiting += [e for e in batch.dirty.values() if e.status == S.WAITLISTED and e.region_code == region]
            queue = sorted(queue + waiting, key=lambda e: (e.pmt_score, str(e.household_id)))
        for enrolment in queue:
            if free > 0:
                free -= 1
                reason = "qualifies" if enrolment.status != S.WAITLISTED else "a place came free"
                batch.transition(enrolment, S.ENROLLED, reason=reason, assessment_id=enrolment.assessment_id)
            elif enrolment.status != S.WAITLISTED:
                batch.transition(enrolment, S.WAITLISTED, reason=f"qualifies; the {program.places_in(region)} "
                                 f"places in region {region} are taken", assessment_id=enrolment.assessment_id)


def _officer_transition(enrolment: Enrolment, to_status: str, *, reason: str, actor, day: date | None) -> Enrolment:
    program = Program.objects.select_for_update().get(code=enrolment.program_code)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    batch = _Batch(program, day or timezone.localdate(), actor=actor)
    was_holding = enrolment.status in states.HOLDS_PLACE
    batch.transition(enrolment, to_status, reason=reason)
    if to_status == S.EXITED and was_holding:
        _place(batch, {}, {enrolment.region_code}, {enrolment.region_code: 1})
    batch.write()
    return enrolment


@transaction.atomic
def enrolment_suspend(*, enrolment: Enrolment, reason: str, actor, day: date | None = None) -> Enrolment:
    """An officer suspends an enrolled household (it keeps its place)."""
    return _officer_transition(enrolment, S.SUSPENDED, reason=reason, actor=actor, day=day)


@transaction.atomic
def enrolment_resume(*, enrolment: Enrolment, reason: str, actor, day: date | None = None) -> Enrolment:
    """An officer lifts a suspension."""
    return _officer_transition(enrolment, S.ENROLLED, reason=reason, actor=actor, day=day)
