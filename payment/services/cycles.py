"""Cycles: created on the program's schedule, generated (entitlements, batches, pending payments) in
bounded chunks, submitted, approved batch by batch, distributed, closed, or cancelled."""

import calendar
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from dsrs.events.bulk import JSONText, insert_rows
from dsrs.events.outbox import buffered

from .. import events, formulas, states
from ..audit import Action, audit
from ..errors import PaymentError
from ..lock_objects import cycle_lock
from ..models import Batch, Cycle, CycleChange, EnrolmentFact, Entitlement, HouseholdFact, Payment, PaymentChange, Program
from .payments import payments_move

GENERATION_CHUNK = 10000
LEVELS = ("region_code", "province_code", "municipality_code", "barangay_code")


@dataclass
class NewPayment:
    """What the pending event of a payment being generated reads (a model instance per row costs more)."""

    id: uuid.UUID
    entitlement_id: uuid.UUID
    cycle_id: uuid.UUID
    batch_id: uuid.UUID
    household_id: uuid.UUID
    program_code: str
    amount_centavos: int
    currency: str
    region_code: str
    province_code: str
    municipality_code: str
    barangay_code: str
    status: str = Payment.Status.PENDING
    version: int = 1
    attempt: int = 1


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


def cycle_generate(*, cycle_id, actor: str, chunk: int = GENERATION_CHUNK, channel: str = "command",
                   progress=None) -> Generation:
    """One entitlement, one pending payment, per household enrolled in the cycle's program on the
    period's last day, grouped into batches of at most the program's batch size per provider and region.

    Runs in chunks, each one transaction; a second run (or a run after a crash) creates only what is
    missing, and the database's unique constraint refuses a second entitlement in any case. A household
    whose members payment has not yet heard of is left for a later run (counted, never paid wrong).
    """
    cycle = Cycle.objects.select_related("program").get(pk=cycle_id)
    if cycle.status != Cycle.Status.DRAFT:
        raise PaymentError(f"cycle {cycle.code} is {cycle.status}: only a draft cycle is generated", code="not_draft")
    enrolled = list(EnrolmentFact.objects.filter(program_code=cycle.program.code, status=EnrolmentFact.Status.ENROLLED,
                                                 effective_on__lte=cycle.period_end)
                    .order_by("region_code", "household_id").values_list("household_id", flat=True))
    result = Generation()
    for start in range(0, len(enrolled), chunk):
        _generate_chunk(cycle.pk, enrolled[start:start + chunk], result)
        if progress:
            progress(min(start + chunk, len(enrolled)), len(enrolled))
    with transaction.atomic():
        audit(actor=actor, action=Action.CREATE, object_type="payment.cycle", object_ids=[cycle.pk], channel=channel,
              reason=f"generated {result.created} entitlements ({result.already} existed, "
                     f"{result.without_household_facts} households without member facts yet)")
    return result


@transaction.atomic
def _generate_chunk(cycle_id, household_ids: list, result: Generation) -> None:
    cycle = cycle_lock(cycle_id)
    program = cycle.program
    formula_row = program.current_formula()
    formula = formula_row.as_data()
    taken = set(Entitlement.objects.filter(cycle=cycle, household_id__any_of=household_ids)
                .values_list("household_id", flat=True))
    result.already += len(taken)
    wanted = [h for h in household_ids if h not in taken]
    # Plain tuples, not model instances: at 100,000 households per cycle every object per row counts.
    # The members as their JSON text: households of the same members (and day observed) are evaluated,
    # and their breakdown's JSON made, once (the formula is pure).
    facts = {h: (members, observed_on) for h, members, observed_on in HouseholdFact.objects.filter(
        household_id__any_of=wanted).values_list("household_id", Cast("members", TextField()), "observed_on")}
    enrolments = {row[0]: row[1:] for row in EnrolmentFact.objects.filter(
        program_code=program.code, household_id__any_of=wanted).values_list("household_id", "enrolment_id", *LEVELS)}
    open_batches = {b.region_code: b for b in Batch.objects.filter(cycle=cycle, status=Batch.Status.DRAFT,
                                                                   payment_count__lt=program.batch_size)}
    number = Batch.objects.filter(cycle=cycle).aggregate(n=Max("number"))["n"] or 0
    now = timezone.now()
    entitlements, payments, changes, transitions, touched, breakdowns = [], [], [], [], {}, {}
    with buffered():
        for household_id in wanted:
            fact = facts.get(household_id)
            if fact is None:
                result.without_household_facts += 1
                continue
            enrolment_id, *place = enrolments[household_id]
            region_code = place[0]
            batch = open_batches.get(region_code)
            if batch is None or batch.payment_count >= program.batch_size:
                number += 1
                batch = Batch.objects.create(cycle=cycle, number=number, provider_code=program.provider_code,
                                             region_code=region_code)
                open_batches[region_code] = batch
            evaluated = breakdowns.get(fact)
            if evaluated is None:
                members, observed_on = fact
                amount, breakdown = formulas.evaluate(formula, members=json.loads(members), on=cycle.period_start,
                                                      observed_on=observed_on, months=program.months_per_cycle)
                evaluated = breakdowns[fact] = amount, JSONText(json.dumps(breakdown, separators=(",", ":")))
            amount, breakdown = evaluated
            entitlement_id, payment_id = uuid.uuid4(), uuid.uuid4()
            entitlements.append((entitlement_id, cycle.pk, batch.pk, household_id, program.code, enrolment_id,
                                 amount, program.currency, formula_row.pk, formula_row.version, breakdown,
                                 *place, now))
            payment = NewPayment(payment_id, entitlement_id, cycle.pk, batch.pk, household_id, program.code,
                                 amount, program.currency, *place)
            payments.append((payment_id, entitlement_id, cycle.pk, batch.pk, household_id, program.code,
                             Payment.Status.PENDING, 1, 1, amount, program.currency, *place, "", False, "",
                             now, now))
            changes.append((payment_id, "", Payment.Status.PENDING, 1, 1, "entitlement generated", "system", now))
            transitions.append((payment, "", "entitlement generated"))
            batch.payment_count += 1
            batch.total_centavos += amount
            touched[batch.pk] = batch
        events.publish_payment_transitions(transitions, cycles={cycle.pk: cycle}, occurred_at=now)
        insert_rows(Entitlement, ("id", "cycle_id", "batch_id", "household_id", "program_code", "enrolment_id",
                                  "amount_centavos", "currency", "formula_id", "formula_version", "breakdown",
                                  *LEVELS, "created_at"), entitlements, binary=True)
        insert_rows(Payment, ("id", "entitlement_id", "cycle_id", "batch_id", "household_id", "program_code", "status",
                              "version", "attempt", "amount_centavos", "currency", *LEVELS, "reason", "needs_review",
                              "review_reason", "created_at", "updated_at"), payments, binary=True)
    insert_rows(PaymentChange, ("payment_id", "from_status", "to_status", "version", "attempt", "reason", "actor", "at"),
                changes, binary=True)
    Batch.objects.bulk_update(list(touched.values()), ["payment_count", "total_centavos"])
    result.batches.update(touched)
    result.created += len(entitlements)
    # The cycle is locked and its totals are those of the entitlements committed before: adding this
    # chunk's keeps them equal to the rows' sums (batch_approve checks each batch against its rows), without
    # summing the whole cycle again per chunk (which grew with the square of its size).
    cycle.entitlement_count += len(entitlements)
    cycle.total_centavos += sum(row[6] for row in entitlements)
    cycle.save(update_fields=["entitlement_count", "total_centavos", "updated_at"])


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
    process stops in between, the next step of any batch of the cycle moves it on."""
    with transaction.atomic():
        cycle = cycle_lock(cycle_id)
        cycle_advance(cycle, actor=actor)
        return cycle


def cycle_advance(cycle: Cycle, *, actor: str) -> None:
    """Move the (locked) cycle on once every batch has: all approved → approved; all exported → distributed."""
    statuses = set(Batch.objects.filter(cycle=cycle).exclude(status=Batch.Status.CANCELLED)
                   .values_list("status", flat=True))
    if cycle.status == Cycle.Status.TO_APPROVE and statuses <= {Batch.Status.APPROVED, Batch.Status.EXPORTED}:
        _cycle_change(cycle, Cycle.Status.APPROVED, actor=actor, reason="every batch approved")
    if cycle.status == Cycle.Status.APPROVED and statuses == {Batch.Status.EXPORTED}:
        _cycle_change(cycle, Cycle.Status.DISTRIBUTED, actor=actor, reason="every batch exported")


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
