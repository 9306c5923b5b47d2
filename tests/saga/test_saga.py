"""The saga registry → eligibility → payment → analytics, end to end, on each transport."""

from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command

from analytics.selectors import summary_get
from dsrs.events import metrics
from dsrs.events.models import DeadLetter, InboxEvent, OutboxEvent
from dsrs.events.topics import topic_name
from eligibility.models import Assessment, Enrolment
from payment.models import EnrolmentFact, Entitlement, HouseholdFact, Payment
from payment.money import pesos
from payment.runs import cycle_run
from registry.models import Household
from registry.validation import MAX_MEMBERS, MAX_MONTHLY_INCOME
from tests.factories import HouseholdPayloadFactory, MemberPayloadFactory

pytestmark = pytest.mark.django_db(transaction=True)


def register(client, count, **traits) -> list[str]:
    ids = []
    for _ in range(count):
        response = client.post("/api/v1/households", HouseholdPayloadFactory(**traits), format="json")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    return ids


def change_head_income(client, household_id, income: str):
    """A caseworker's correction of the head's income: the members are sent back whole, as the API wants."""
    household = client.get(f"/api/v1/households/{household_id}").json()
    members = [{k: v for k, v in m.items() if k in MEMBER_INPUT} for m in household["members"]]
    for member in members:
        member.pop("philsys_number", None)  # masked in the answer; left out, it is kept as it is
        if member["relationship"] == "head":
            member["monthly_income"] = income
    return client.patch(f"/api/v1/households/{household_id}", {"members": members}, format="json")


MEMBER_INPUT = {"id", "given_name", "middle_name", "family_name", "suffix", "sex", "birth_date", "relationship",
                "civil_status", "has_disability", "is_pregnant", "attending_school", "occupation", "monthly_income"}


def all_paid(count):
    def condition():
        return summary_get().payments_completed >= count

    condition.__doc__ = f"{count} payments completed in analytics"
    return condition


def enrolled_in_payment(count):
    def condition():
        enrolled = EnrolmentFact.objects.filter(status="enrolled").values_list("household_id", flat=True)
        return HouseholdFact.objects.filter(household_id__in=list(enrolled)).count() >= count

    condition.__doc__ = f"{count} enrolled households known to payment"
    return condition


DECEMBER, JANUARY = date(2026, 12, 5), date(2027, 1, 5)
PREPARER, APPROVER = "user:101:preparer", "user:102:approver"


def pay_cycle(saga, *, enrolled: int, paid: int, on=DECEMBER, **shares):
    """Enrolment reaches payment; one cycle is generated, approved by a second officer, exported, settled by
    the simulated provider and reconciled; analytics counts `paid` payments in all."""
    saga.run_until(enrolled_in_payment(enrolled))
    run = cycle_run(program_code="4PS", on=on, preparer=PREPARER, approver=APPROVER, **shares)
    saga.run_until(all_paid(paid))
    return run


def all_assessed(count):
    def condition():
        return summary_get().assessed >= count

    condition.__doc__ = f"{count} households assessed in analytics"
    return condition


def duplicates_skipped() -> Counter:
    return Counter({s.labels["group"]: s.value for m in metrics.DUPLICATES.collect() for s in m.samples
                    if s.name.endswith("_total")})


def snapshot() -> dict:
    """Everything the saga writes, in a form two runs can be compared by."""
    return {
        "households": sorted(Household.objects.values_list("id", "version")),
        "assessments": sorted(Assessment.objects.values_list("id", "household_id", "household_version", "decision")),
        "enrolment_facts": sorted(EnrolmentFact.objects.values_list("household_id", "status", "enrolment_version")),
        "household_facts": sorted(HouseholdFact.objects.values_list("household_id", "version")),
        "payments": sorted(Payment.objects.values_list("id", "household_id", "cycle_id", "status", "amount_centavos",
                                                       "version")),
        "outbox_event_ids": sorted(set(OutboxEvent.objects.values_list("event_id", flat=True))),
        "summary": summary_get().as_dict(),
    }


def test_each_household_registered_over_http_is_assessed_paid_once_and_counted_once(saga, partner_client):
    poor = register(partner_client, 6, poor=True)
    well_off = register(partner_client, 4, well_off=True)

    saga.start_consumers()
    run = pay_cycle(saga, enrolled=6, paid=6)
    saga.settle()

    assert run.cycle.status == "distributed" and run.cycle.entitlement_count == 6
    assert {i.file.exceptions for i in run.imports} == {0}  # one batch per region, each file reconciled
    decisions = dict(Assessment.objects.values_list("household_id", "decision"))
    assert {str(k): v for k, v in decisions.items()} == {**{h: "approved" for h in poor},
                                                         **{h: "denied" for h in well_off}}
    assert Assessment.objects.count() == 10
    paid = Counter(str(h) for h in Payment.objects.filter(status="paid").values_list("household_id", flat=True))
    assert paid == Counter(poor)
    total = pesos(sum(Entitlement.objects.values_list("amount_centavos", flat=True)))
    assert run.cycle.total_centavos == sum(f.total_centavos for f in run.files)
    events = Counter(OutboxEvent.objects.filter(event_type__startswith="payment.").values_list("event_type", flat=True))
    assert events == {f"payment.payment.{s}": 6 for s in ("pending", "approved", "sent", "paid")}
    response = partner_client.get("/api/v1/analytics/summary")
    assert response.status_code == 200
    figures = response.json()
    assert {name: figures[name] for name in ("households_assessed", "households_approved", "households_denied",
                                             "payments_scheduled", "payments_completed", "amount_scheduled",
                                             "amount_completed")} == {
        "households_assessed": 10, "households_approved": 6, "households_denied": 4,
        "payments_scheduled": 6, "payments_completed": 6,
        "amount_scheduled": total, "amount_completed": total,
    }


def test_the_largest_household_at_the_highest_incomes_is_assessed_and_every_list_answers(saga, partner_client):
    highest = f"{MAX_MONTHLY_INCOME:.2f}"
    payload = HouseholdPayloadFactory(members=[MemberPayloadFactory(monthly_income=highest)] + [
        MemberPayloadFactory(child=True, monthly_income=highest) for _ in range(MAX_MEMBERS - 1)])
    assert partner_client.post("/api/v1/households", payload, format="json").status_code == 201

    saga.start_consumers()
    saga.run_until(all_assessed(1))
    saga.settle()

    incomes = set(Assessment.objects.values_list("monthly_income", flat=True))
    assert incomes == {MAX_MONTHLY_INCOME * MAX_MEMBERS}
    for path in ("/api/v1/households", "/api/v1/assessments", "/api/v1/analytics/summary"):
        assert partner_client.get(path).status_code == 200, path


def test_a_household_changed_within_the_cycle_is_reassessed_but_never_paid_twice(saga, partner_client):
    (household_id,) = register(partner_client, 1, poor=True)
    saga.start_consumers()
    pay_cycle(saga, enrolled=1, paid=1)

    response = change_head_income(partner_client, household_id, "5200.00")
    assert response.status_code == 200 and response.json()["version"] == 2, response.content
    saga.run_until(lambda: Assessment.objects.filter(household_version=2).exists())
    change_head_income(partner_client, household_id, "52000.00")
    saga.run_until(lambda: summary_get().denied == 1)
    saga.settle()

    assert list(Assessment.objects.order_by("household_version").values_list("household_version", "decision")) == [
        (1, "approved"), (2, "approved"), (3, "denied")]
    assert list(Payment.objects.values_list("status", "needs_review")) == [("paid", False)]  # paid: it stands
    summary = summary_get()
    assert (summary.assessed, summary.approved, summary.denied, summary.payments_scheduled) == (1, 0, 1, 1)
    enrolment = Enrolment.objects.get(household_id=household_id)
    assert (enrolment.status, enrolment.reason) == ("exited", "no longer qualifies: Monthly income at most the ceiling")
    exits = OutboxEvent.objects.filter(event_type="eligibility.enrolment.exited", key=household_id)
    assert exits.count() == 1 and all(row.sent_at for row in exits)
    if saga.transport == "kafka":
        on_topic = saga.read_topic(topic_name("eligibility.enrolment"))
        assert sorted(h["ce_type"] for h in on_topic) == ["eligibility.enrolment.enrolled",
                                                          "eligibility.enrolment.exited"]


def test_delivering_every_event_a_second_time_changes_no_table_and_no_figure(saga, partner_client):
    register(partner_client, 5, poor=True)
    register(partner_client, 3, well_off=True)
    saga.start_consumers()
    pay_cycle(saga, enrolled=5, paid=5)
    saga.settle()
    before, skipped_before = snapshot(), duplicates_skipped()
    # The read model must hold its own idempotency: let analytics forget what its inbox knows, so every
    # duplicate reaches the store itself.
    forgotten = InboxEvent.objects.filter(consumer_group="analytics").delete()[0]

    republished = saga.republish_everything()
    saga.run_until(lambda: duplicates_skipped() - skipped_before == Counter({"eligibility": 8, "payment": 8 + 5})
                   and InboxEvent.objects.filter(consumer_group="analytics").count() == forgotten)
    saga.settle()

    # registered, assessed, enrolled, then pending, approved, sent and paid
    assert republished == 8 + 8 + 5 + 5 * 4
    assert forgotten == republished  # analytics consumes every event of the saga
    assert snapshot() == before


def test_poison_events_are_dead_lettered_the_partition_moves_on_and_replay_applies_them_once(
        saga, partner_client, monkeypatch):
    import eligibility.services

    (target,) = register(partner_client, 1, poor=True)
    saga.inject_raw("registry.household", key=target, value=b"{this is not json")
    real_assess = eligibility.services.households_changed
    calls = Counter()

    def assess_failing_for_target(*, changes, **kwargs):
        if any(change.data["household_id"] == target for change in changes):
            calls["target"] += 1
            raise RuntimeError("rule engine crashed on this household")
        return real_assess(changes=changes, **kwargs)

    monkeypatch.setattr(eligibility.services, "households_changed", assess_failing_for_target)
    others = register(partner_client, 6, poor=True)
    saga.start_consumers()
    pay_cycle(saga, enrolled=6, paid=6)
    saga.settle()

    assert saga.lag("eligibility") == 0
    assert not Assessment.objects.filter(household_id=target).exists()
    assert sorted(str(h) for h in Payment.objects.values_list("household_id", flat=True)) == sorted(others)
    letters = {letter.error_type: letter for letter in DeadLetter.objects.filter(consumer_group="eligibility")}
    assert set(letters) == {"MalformedEvent", "RuntimeError"}
    assert letters["MalformedEvent"].attempts == 1
    assert letters["RuntimeError"].attempts == 3  # EVENTS_MAX_ATTEMPTS in this suite
    assert calls["target"] == 1 + 3  # once inside its batch, then each attempt on its own
    assert letters["RuntimeError"].key == target and "rule engine crashed" in letters["RuntimeError"].error

    monkeypatch.setattr(eligibility.services, "households_changed", real_assess)  # the fix is deployed
    call_command("dlq", "replay", "--all")
    pay_cycle(saga, enrolled=7, paid=6 + 7, on=JANUARY)  # the next cycle pays all seven
    call_command("dlq", "replay", "--all")  # a second replay finds nothing pending
    saga.settle()

    assert Assessment.objects.filter(household_id=target).count() == 1
    assert Payment.objects.filter(household_id=target).count() == 1
    assert Payment.objects.filter(status="paid").count() == 13
    # payment reads the household topic too (the members its formulas count): it dead-letters the malformed record
    letters = sorted(DeadLetter.objects.values_list("consumer_group", "error_type", "status"))
    assert letters == [("analytics", "MalformedEvent", "pending"), ("eligibility", "MalformedEvent", "pending"),
                       ("eligibility", "RuntimeError", "replayed"), ("payment", "MalformedEvent", "pending")]
    assert summary_get().approved == 7
    if saga.transport == "kafka":
        dead = saga.read_topic(topic_name("registry.household.dlq"))
        # analytics and payment read the household topic too, and dead-letter the unreadable record as well
        assert sorted((h["dlq_consumer_group"], h["dlq_error_type"], h["dlq_attempts"]) for h in dead) == [
            ("analytics", "MalformedEvent", "1"), ("eligibility", "MalformedEvent", "1"),
            ("eligibility", "RuntimeError", "3"), ("payment", "MalformedEvent", "1")]
        assert all(h["dlq_original_topic"] == topic_name("registry.household") for h in dead)


def test_a_consumer_killed_after_its_db_commit_but_before_its_offset_commit_applies_nothing_twice(
        saga, partner_client):
    register(partner_client, 5, poor=True)
    saga.run_until(lambda: Enrolment.objects.filter(status="enrolled").count() == 5, groups=["eligibility"])
    saga.relay()

    crashed = saga.manage("run_consumers", "--group", "payment", "--drain", DSRS_CRASH_AT="consumer.after_db_commit")
    assert crashed.returncode == 86, crashed.stderr
    committed_before_crash = EnrolmentFact.objects.count() + HouseholdFact.objects.count()
    assert committed_before_crash >= 1
    assert InboxEvent.objects.filter(consumer_group="payment").count() == committed_before_crash

    restarted = saga.manage("run_consumers", "--group", "payment", "--drain")
    assert restarted.returncode == 0, restarted.stderr
    # The same ten (five registrations, five enrolments), delivered again: those applied before the crash
    # are recognised by the inbox.
    assert (f"payment: received 10 records, applied {10 - committed_before_crash} events, "
            f"skipped {committed_before_crash} duplicates") in restarted.stdout
    assert EnrolmentFact.objects.count() == HouseholdFact.objects.count() == 5
    run = cycle_run(program_code="4PS", on=DECEMBER, preparer=PREPARER, approver=APPROVER)
    assert run.cycle.entitlement_count == 5
    assert OutboxEvent.objects.filter(event_type="payment.payment.paid").count() == 5


def test_a_relay_killed_mid_batch_loses_nothing(saga, partner_client):
    register(partner_client, 6, poor=True)

    crashed = saga.manage("relay_outbox", DSRS_CRASH_AT="relay.after_send")
    assert crashed.returncode == 86, crashed.stderr
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 6  # nothing was marked sent

    skipped_before = duplicates_skipped()
    saga.start_consumers()
    pay_cycle(saga, enrolled=6, paid=6)
    saga.settle()

    assert Assessment.objects.count() == 6 and Payment.objects.filter(status="paid").count() == 6
    # On Kafka the dead relay had already delivered its batch: the second send arrived as duplicates.
    expected_duplicates = 6 if saga.transport == "kafka" else 0
    assert (duplicates_skipped() - skipped_before)["eligibility"] == expected_duplicates


def test_an_exit_before_sending_cancels_the_payment_and_after_sending_flags_it(saga, partner_client):
    early, late = register(partner_client, 2, poor=True)
    saga.start_consumers()
    saga.run_until(enrolled_in_payment(2))
    from payment import services
    from payment.models import Batch

    cycle = services.cycle_create(program_code="4PS", on=DECEMBER, actor=PREPARER)
    services.cycle_generate(cycle_id=cycle.pk, actor=PREPARER)
    # The first household's income rises before anything is sent: eligibility exits it, payment cancels.
    change_head_income(partner_client, early, "52000.00")
    saga.run_until(lambda: Payment.objects.filter(household_id=early, status="cancelled").exists())
    services.cycle_submit(cycle_id=cycle.pk, actor=PREPARER)
    for batch in Batch.objects.filter(cycle=cycle):
        services.batch_approve(batch_id=batch.pk, actor=APPROVER)
    services.batch_export(batch_id=Payment.objects.get(household_id=late).batch_id, actor=APPROVER)
    # The second one leaves after its payment was sent: it stands, flagged for the officer.
    change_head_income(partner_client, late, "52000.00")
    saga.run_until(lambda: Payment.objects.filter(household_id=late, needs_review=True).exists())
    saga.settle()

    assert Payment.objects.get(household_id=early).status == "cancelled"
    flagged = Payment.objects.get(household_id=late)
    assert (flagged.status, flagged.needs_review) == ("sent", True) and "exited" in flagged.review_reason
    cancelled = OutboxEvent.objects.filter(event_type="payment.payment.cancelled")
    assert [row.key for row in cancelled] == [early]
