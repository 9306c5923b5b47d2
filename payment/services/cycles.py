"""Cycles: created on the program's schedule, generated (entitlements, batches, pending payments) in
bounded chunks, submitted, approved batch by batch, distributed, closed, or cancelled."""

import calendar
import json
import os
from dataclasses import dataclass, field
from datetime import date, timedelta

import orjson
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from dsrs.events.bulk import JSONText, insert_rows, pg_array
from dsrs.events.outbox import buffered

from .. import events, formulas, states
from ..audit import Action, audit
from ..errors import PaymentError
from ..lock_objects import PaymentRow, batch_lock, cycle_lock
from ..models import Batch, Cycle, CycleChange, EnrolmentFact, Entitlement, HouseholdFact, Payment, PaymentChange, Program
from .payments import payments_move

LEVELS = ("region_code", "province_code", "municipality_code", "barangay_code")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def cycle_period(program: Program, on: date) -> tuple[date, date]:
    """The period of `program`'s schedule that `on` falls in: a calendar month, or two from an odd month."""
    month = on.month if program.months_per_cycle == 1 else on.month - (on.month - 1) % 2
    start = date(on.year, month, 1)
    last = month + program.months_per_cycle - 1
    return start, _month_end(on.year + (last - 1) // 12, (last - 1) % 12 + 1)


def _cycle_change(cycle: Cycle, to_status: str, *, actor: str, reason: str = "") -> None:
    states.check_cycle(cycle.status, to_status)
    CycleChange.objects.create(cycle=cycle, from_status=cycle.status, to_status=to_status, actor=actor, reason=reason)
    cycle.status = to_status
    cycle.save(update_fields=["status", "updated_at"])


@transaction.atomic
def cycle_create(*, program_code: str, on: date | None = None, actor: str, channel: str = "command") -> Cycle:
    """The cycle of the program's schedule that `on` (today by default) falls in; an existing one is returned."""
    program = Program.objects.get(code=program_code)
    start, end = cycle_period(program, on or timezone.localdate())
    code = f"{program.code}-{start:%Y-%m}"
    cycle, created = Cycle.objects.get_or_create(program=program, period_start=start, defaults={
        "code": code, "period_end": end, "due_on": start + timedelta(days=program.due_days), "created_by": actor})
    if created:
        audit(actor=actor, action=Action.CREATE, object_type="payment.cycle", object_ids=[cycle.pk],
              reason=f"cycle {code} created", channel=channel)
    return cycle


@dataclass
class Generation:
    created: int = 0
    already: int = 0
    without_household_facts: int = 0
    batches: set = field(default_factory=set)
    plan: list = field(default_factory=list)  # (batch id, household ids): the units of cycle_generate_batch


def cycle_generate(*, cycle_id, actor: str, channel: str = "command", progress=None) -> Generation:
    """One entitlement, one pending payment, per household enrolled in the cycle's program on the
    period's last day, grouped into batches of at most the program's batch size per provider and region.

    Three steps: the plan (which household goes to which batch, the batches created), one transaction
    per batch (cycle_generate_batch; runs.cycle_run runs them in worker processes at once), then the
    cycle's control totals and the audit row. A second run (or a run after a crash) creates only what
    is missing, and the database's unique constraint refuses a second entitlement in any case. A
    household whose members payment has not yet heard of is left for a later run (counted, never paid wrong).
    """
    result = cycle_generate_plan(cycle_id=cycle_id)
    total, done = sum(len(households) for _, households in result.plan), 0
    for batch_id, households in result.plan:
        result.created += cycle_generate_batch(cycle_id=cycle_id, batch_id=batch_id, household_ids=households)
        done += len(households)
        if progress:
            progress(done, total)
    cycle_generate_finish(cycle_id=cycle_id, result=result, actor=actor, channel=channel)
    return result


def _household_id_text():
    """The plan's household ids: as text on PostgreSQL (the plan goes to worker processes, which then
    unpickle no uuid per household); SQLite's text of a uuid is not its str(), so there the uuids."""
    return Cast("household_id", TextField()) if connection.vendor == "postgresql" else "household_id"


@transaction.atomic
def cycle_generate_plan(*, cycle_id) -> Generation:
    """In one transaction holding the cycle: the enrolled households in region and id order, less those
    with an entitlement of the cycle (`already`) and those whose members payment has not heard of
    (`without_household_facts`), fill the region's open draft batch, then new batches of at most the
    program's batch size, created here. Nothing else is written: a plan left unfinished (a crash) leaves
    empty or part-filled draft batches, which the next run fills first."""
    cycle = cycle_lock(cycle_id)
    if cycle.status != Cycle.Status.DRAFT:
        raise PaymentError(f"cycle {cycle.code} is {cycle.status}: only a draft cycle is generated", code="not_draft")
    program = cycle.program
    # One query: each enrolled household, whether it has an entitlement of the cycle, whether payment
    # knows its members (semi-joins in the database, not sets of ids here).
    enrolled = list(EnrolmentFact.objects.filter(program_code=program.code, status=EnrolmentFact.Status.ENROLLED,
                                                 effective_on__lte=cycle.period_end)
                    .annotate(taken=Exists(Entitlement.objects.filter(cycle=cycle, program_code=program.code,
                                                                      household_id=OuterRef("household_id"))),
                              known=Exists(HouseholdFact.objects.filter(household_id=OuterRef("household_id"))))
                    .order_by("region_code", "household_id")
                    .values_list(_household_id_text(), "region_code", "taken", "known"))
    wanted = [(h, region, known) for h, region, taken, known in enrolled if not taken]
    result = Generation(already=len(enrolled) - len(wanted))
    open_batches = {b.region_code: b for b in Batch.objects.filter(cycle=cycle, status=Batch.Status.DRAFT,
                                                                   payment_count__lt=program.batch_size).order_by("number")}
    number = Batch.objects.filter(cycle=cycle).aggregate(n=Max("number"))["n"] or 0
    plan: dict = {}
    room = {region: program.batch_size - b.payment_count for region, b in open_batches.items()}
    for household_id, region_code, known in wanted:
        if not known:
            result.without_household_facts += 1
            continue
        if not room.get(region_code):
            number += 1
            open_batches[region_code] = Batch.objects.create(cycle=cycle, number=number, region_code=region_code,
                                                             provider_code=program.provider_code)
            room[region_code] = program.batch_size
        plan.setdefault(open_batches[region_code].pk, []).append(household_id)
        room[region_code] -= 1
    result.plan = list(plan.items())
    result.batches = set(plan)
    return result


def _json_loads(text: str):
    """orjson, several times faster than json; json for what orjson refuses (an integer past 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _json_dumps(value) -> str:
    """Compact JSON (the database keeps it as jsonb, so json's escaping of non-ASCII makes no difference)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"))


_VARIANT = dict(zip("0123456789abcdef", "89ab89ab89ab89ab"))


def uuid4_texts(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as the text str(uuid.uuid4()) gives, from one read of urandom:
    no UUID object per row (the ids go to COPY, the events and the change rows as text)."""
    pool, texts = os.urandom(16 * count).hex(), []
    for start in range(0, 32 * count, 32):
        h = pool[start:start + 32]
        texts.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return texts


def _generation_inputs(cycle: Cycle, household_ids: list[str]) -> tuple[set, dict, dict]:
    """For cycle_generate_batch, the households' ids as text: those with an entitlement of the cycle
    already; each one's (members as JSON text, day observed); each one's (enrolment id, *LEVELS). On
    PostgreSQL three statements taking the ids as one array literal (no value quoted one by one) and
    returning text (no uuid parsed per row); elsewhere the same through the ORM."""
    code = cycle.program.code
    if connection.vendor == "postgresql":
        ids = pg_array(household_ids)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT household_id::text FROM {Entitlement._meta.db_table} "
                           "WHERE cycle_id = %s AND household_id = ANY(%s::uuid[])", [cycle.pk, ids])
            taken = {h for (h,) in cursor.fetchall()}
            cursor.execute(f"SELECT household_id::text, members::text, observed_on FROM {HouseholdFact._meta.db_table} "
                           "WHERE household_id = ANY(%s::uuid[])", [ids])
            facts = {h: (members, observed_on) for h, members, observed_on in cursor.fetchall()}
            cursor.execute(f"SELECT household_id::text, enrolment_id::text, {', '.join(LEVELS)} "
                           f"FROM {EnrolmentFact._meta.db_table} WHERE program_code = %s AND household_id = ANY(%s::uuid[])",
                           [code, ids])
            enrolments = {row[0]: row[1:] for row in cursor.fetchall()}
        return taken, facts, enrolments
    taken = {str(h) for h in Entitlement.objects.filter(cycle=cycle, household_id__any_of=household_ids)
             .values_list("household_id", flat=True)}
    facts = {str(h): (members, observed_on) for h, members, observed_on in HouseholdFact.objects.filter(
        household_id__any_of=household_ids).values_list("household_id", Cast("members", TextField()), "observed_on")}
    enrolments = {str(row[0]): (str(row[1]), *row[2:]) for row in EnrolmentFact.objects.filter(
        program_code=code, household_id__any_of=household_ids).values_list("household_id", "enrolment_id", *LEVELS)}
    return taken, facts, enrolments


@transaction.atomic
def cycle_generate_batch(*, cycle_id, batch_id, household_ids: list) -> int:
    """The entitlements and pending payments (each with its change row and its event) of one batch of the
    plan, in one transaction holding the batch and the cycle in share mode: the batches of a cycle may be
    generated at once, while submitting (or a second plan) waits. Returns how many were created."""
    batch = batch_lock(batch_id, shared_cycle=True)
    cycle = batch.cycle
    if cycle.pk != cycle_id or cycle.status != Cycle.Status.DRAFT or batch.status != Batch.Status.DRAFT:
        raise PaymentError(f"batch {batch.number} of {cycle.code} is not a draft batch of a draft cycle",
                           code="not_draft")
    program = cycle.program
    formula_row = program.current_formula()
    formula = formula_row.as_data()
    # Plain tuples and ids as text, not model instances nor uuids: at 100,000 households per cycle every
    # object per row counts. The members as their JSON text: households of the same members (and day
    # observed) are evaluated, and their breakdown's JSON made, once (the formula is pure).
    household_ids = [str(h) for h in household_ids]
    taken, facts, enrolments = _generation_inputs(cycle, household_ids)
    wanted = [h for h in household_ids if h not in taken]
    now = timezone.now()
    cycle_pk, batch_pk, code, currency = cycle.pk, batch.pk, program.code, program.currency
    formula_pk, formula_version = formula_row.pk, formula_row.version
    on, months = cycle.period_start, program.months_per_cycle
    entitlements, payments, changes, transitions, breakdowns = [], [], [], [], {}
    ids = iter(uuid4_texts(2 * len(wanted)))
    total = 0
    with buffered():
        for household_id in wanted:
            fact, enrolment = facts.get(household_id), enrolments.get(household_id)
            if fact is None or enrolment is None:  # gone since the plan: left for a later run
                continue
            enrolment_id, *place = enrolment
            evaluated = breakdowns.get(fact)
            if evaluated is None:
                members, observed_on = fact
                amount, breakdown = formulas.evaluate(formula, members=_json_loads(members), on=on,
                                                      observed_on=observed_on, months=months)
                evaluated = breakdowns[fact] = amount, JSONText(_json_dumps(breakdown))
            amount, breakdown = evaluated
            entitlement_id, payment_id = next(ids), next(ids)
            entitlements.append((entitlement_id, cycle_pk, batch_pk, household_id, code, enrolment_id, amount, currency,
                                 formula_pk, formula_version, breakdown, *place, now))
            payments.append((payment_id, entitlement_id, cycle_pk, batch_pk, household_id, code, Payment.Status.PENDING,
                             1, 1, amount, currency, *place, "", False, "", now, now))
            changes.append((payment_id, "", Payment.Status.PENDING, 1, 1, "entitlement generated", "system", now))
            transitions.append((PaymentRow((payment_id, entitlement_id, cycle_pk, batch_pk, household_id, code,
                                            Payment.Status.PENDING, 1, 1, amount, currency, *place, "", now)),
                                "", "entitlement generated"))
            total += amount
        events.publish_payment_transitions(transitions, cycles={cycle_pk: cycle}, occurred_at=now)
        insert_rows(Entitlement, ("id", "cycle_id", "batch_id", "household_id", "program_code", "enrolment_id",
                                  "amount_centavos", "currency", "formula_id", "formula_version", "breakdown",
                                  *LEVELS, "created_at"), entitlements, binary=True)
        insert_rows(Payment, ("id", "entitlement_id", "cycle_id", "batch_id", "household_id", "program_code", "status",
                              "version", "attempt", "amount_centavos", "currency", *LEVELS, "reason", "needs_review",
                              "review_reason", "created_at", "updated_at"), payments, binary=True)
    insert_rows(PaymentChange, ("payment_id", "from_status", "to_status", "version", "attempt", "reason", "actor", "at"),
                changes, binary=True)
    batch.payment_count += len(entitlements)
    batch.total_centavos += total
    batch.save(update_fields=["payment_count", "total_centavos"])
    return len(entitlements)


def cycle_generate_finish(*, cycle_id, result: Generation, actor: str, channel: str = "command") -> Cycle:
    """After the batches of a generation: the cycle's control totals summed from its entitlements (once per
    run, so a run after a crash mends them too), and the audit row."""
    with transaction.atomic():
        cycle = cycle_lock(cycle_id)
        totals = Entitlement.objects.filter(cycle=cycle).aggregate(n=Count("pk"), total=Sum("amount_centavos"))
        cycle.entitlement_count, cycle.total_centavos = totals["n"], totals["total"] or 0
        cycle.save(update_fields=["entitlement_count", "total_centavos", "updated_at"])
        audit(actor=actor, action=Action.CREATE, object_type="payment.cycle", object_ids=[cycle.pk], channel=channel,
              reason=f"generated {result.created} entitlements ({result.already} existed, "
                     f"{result.without_household_facts} households without member facts yet)")
    return cycle


@transaction.atomic
def cycle_submit(*, cycle_id, actor: str, channel: str = "command") -> Cycle:
    """The preparer hands the generated cycle over for approval: every draft batch is submitted in their name."""
    cycle = cycle_lock(cycle_id)
    if not cycle.entitlement_count:
        raise PaymentError(f"cycle {cycle.code} has no entitlements: generate it first", code="empty")
    batches = list(Batch.objects.select_for_update().filter(cycle=cycle, status=Batch.Status.DRAFT).order_by("number"))
    now = timezone.now()
    for batch in batches:
        states.check_batch(batch.status, Batch.Status.SUBMITTED)
        batch.status, batch.prepared_by, batch.submitted_at = Batch.Status.SUBMITTED, actor, now
    Batch.objects.bulk_update(batches, ["status", "prepared_by", "submitted_at"])
    cycle.submitted_by = actor
    cycle.save(update_fields=["submitted_by"])
    _cycle_change(cycle, Cycle.Status.TO_APPROVE, actor=actor)
    audit(actor=actor, action=Action.UPDATE, object_type="payment.batch", object_ids=[b.pk for b in batches],
          reason=f"cycle {cycle.code} submitted for approval ({len(batches)} batches)", channel=channel)
    return cycle


def cycle_advance_after(cycle_id, *, actor: str) -> Cycle:
    """cycle_advance in a transaction of its own, after a step of one batch has committed (batch_lock,
    shared_cycle): the last of several such steps running at once sees every batch done. Idempotent: if a
    process stops in between, the next step of any batch of the cycle moves it on.

    The cycle is locked only when a first look, without a lock, finds it may move on: the lock (for
    update) waits for every other batch's step that holds the cycle in share mode, so a worker taking it
    after each batch would wait out the other worker's step every time. That look is taken after this
    step committed, so the look after the last step to commit sees every batch done."""
    seen = Cycle.objects.select_related("program").get(pk=cycle_id)
    if not _advances(seen):
        return seen
    with transaction.atomic():
        cycle = cycle_lock(cycle_id)
        cycle_advance(cycle, actor=actor)
        return cycle


def _advances(cycle: Cycle) -> list[tuple[str, str]]:
    """The moves cycle_advance makes of the cycle as it stands: (status, reason) each, in order."""
    statuses = set(Batch.objects.filter(cycle=cycle).exclude(status=Batch.Status.CANCELLED)
                   .values_list("status", flat=True))
    moves, status = [], cycle.status
    if status == Cycle.Status.TO_APPROVE and statuses <= {Batch.Status.APPROVED, Batch.Status.EXPORTED}:
        moves.append((status := Cycle.Status.APPROVED, "every batch approved"))
    if status == Cycle.Status.APPROVED and statuses == {Batch.Status.EXPORTED}:
        moves.append((Cycle.Status.DISTRIBUTED, "every batch exported"))
    return moves


def cycle_advance(cycle: Cycle, *, actor: str) -> None:
    """Move the (locked) cycle on once every batch has: all approved → approved; all exported → distributed."""
    for to_status, reason in _advances(cycle):
        _cycle_change(cycle, to_status, actor=actor, reason=reason)


@transaction.atomic
def cycle_close(*, cycle_id, actor: str, channel: str = "command") -> Cycle:
    cycle = cycle_lock(cycle_id)
    open_payments = Payment.objects.filter(cycle=cycle).exclude(status__in=states.FINAL).count()
    if open_payments:
        raise PaymentError(f"cycle {cycle.code} still has {open_payments} payments that are not paid, cancelled or "
                           "reversed: retry or cancel the failed ones first", code="open_payments")
    _cycle_change(cycle, Cycle.Status.CLOSED, actor=actor)
    audit(actor=actor, action=Action.UPDATE, object_type="payment.cycle", object_ids=[cycle.pk],
          reason=f"cycle {cycle.code} closed", channel=channel)
    return cycle


@transaction.atomic
def cycle_cancel(*, cycle_id, actor: str, reason: str, channel: str = "command") -> Cycle:
    """A cycle not yet approved is cancelled with its batches and pending payments (each with its event)."""
    cycle = cycle_lock(cycle_id)
    _cycle_change(cycle, Cycle.Status.CANCELLED, actor=actor, reason=reason)
    payments_move(cycle_id=cycle.pk, from_status=Payment.Status.PENDING, to_status=Payment.Status.CANCELLED, actor=actor,
                  reason=f"cycle cancelled: {reason}")
    Batch.objects.filter(cycle=cycle).update(status=Batch.Status.CANCELLED)
    audit(actor=actor, action=Action.UPDATE, object_type="payment.cycle", object_ids=[cycle.pk],
          reason=f"cycle {cycle.code} cancelled: {reason}", channel=channel)
    return cycle
