"""The saga registry → eligibility → payment → analytics, end to end, on each transport."""

from collections import Counter

import pytest
from django.core.management import call_command

from analytics.selectors import summary_get
from dsrs.events import metrics
from dsrs.events.models import DeadLetter, InboxEvent, OutboxEvent
from dsrs.events.topics import topic_name
from eligibility.models import Assessment, Enrolment
from payment.models import Payment
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
        "payments": sorted(Payment.objects.values_list("id", "household_id", "cycle", "status", "amount")),
        "outbox_event_ids": sorted(set(OutboxEvent.objects.values_list("event_id", flat=True))),
        "summary": summary_get().as_dict(),
    }


def test_each_household_registered_over_http_is_assessed_paid_once_and_counted_once(saga, partner_client):
    poor = register(partner_client, 6, poor=True)
    well_off = register(partner_client, 4, well_off=True)

    saga.start_consumers()
    saga.run_until(all_paid(6))
    saga.settle()

    decisions = dict(Assessment.objects.values_list("household_id", "decision"))
    assert {str(k): v for k, v in decisions.items()} == {**{h: "approved" for h in poor},
                                                         **{h: "denied" for h in well_off}}
    assert Assessment.objects.count() == 10
    paid = Counter(str(h) for h in Payment.objects.filter(status="completed").values_list("household_id", flat=True))
    assert paid == Counter(poor)
    response = partner_client.get("/api/v1/analytics/summary")
    assert response.status_code == 200
    figures = response.json()
    assert {name: figures[name] for name in ("households_assessed", "households_approved", "households_denied",
                                             "payments_scheduled", "payments_completed", "amount_scheduled",
                                             "amount_completed")} == {
        "households_assessed": 10, "households_approved": 6, "households_denied": 4,
        "payments_scheduled": 6, "payments_completed": 6,
        "amount_scheduled": "4500.00", "amount_completed": "4500.00",
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
    saga.run_until(all_paid(1))

    response = change_head_income(partner_client, household_id, "5200.00")
    assert response.status_code == 200 and response.json()["version"] == 2, response.content
    saga.run_until(lambda: Assessment.objects.filter(household_version=2).exists())
    change_head_income(partner_client, household_id, "52000.00")
    saga.run_until(lambda: summary_get().denied == 1)
    saga.settle()

    assert list(Assessment.objects.order_by("household_version").values_list("household_version", "decision")) == [
        (1, "approved"), (2, "approved"), (3, "denied")]
    assert Payment.objects.count() == 1
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
    saga.run_until(all_paid(5))
    saga.settle()
    before, skipped_before = snapshot(), duplicates_skipped()
    # The read model must hold its own idempotency: let analytics forget what its inbox knows, so every
    # duplicate reaches the store itself.
    forgotten = InboxEvent.objects.filter(consumer_group="analytics").delete()[0]

    republished = saga.republish_everything()
    saga.run_until(lambda: duplicates_skipped() - skipped_before == Counter({"eligibility": 8, "payment": 5})
                   and InboxEvent.objects.filter(consumer_group="analytics").count() == forgotten)
    saga.settle()

    assert republished == 8 + 8 + 5 + 5 + 5  # registered, assessed, enrolled, scheduled, completed
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
    saga.run_until(all_paid(6))
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
    saga.run_until(all_paid(7))
    call_command("dlq", "replay", "--all")  # a second replay finds nothing pending
    saga.settle()

    assert Assessment.objects.filter(household_id=target).count() == 1
    assert Payment.objects.filter(household_id=target).count() == 1
    letters = {letter.error_type: letter.status for letter in DeadLetter.objects.all()}
    assert letters == {"MalformedEvent": "pending", "RuntimeError": "replayed"}
    assert summary_get().approved == 7
    if saga.transport == "kafka":
        on_dlq = saga.read_topic(topic_name("registry.household.dlq"))
        # Analytics reads the household topic too, and dead-letters the unreadable record as well.
        assert sorted((h["dlq_consumer_group"], h["dlq_error_type"]) for h in on_dlq) == [
            ("analytics", "MalformedEvent"), ("eligibility", "MalformedEvent"), ("eligibility", "RuntimeError")]
        dead = [h for h in on_dlq if h["dlq_consumer_group"] == "eligibility"]
        assert sorted(h["dlq_attempts"] for h in dead) == ["1", "3"]
        assert all(h["dlq_original_topic"] == topic_name("registry.household") for h in dead)


def test_a_consumer_killed_after_its_db_commit_but_before_its_offset_commit_applies_nothing_twice(
        saga, partner_client):
    register(partner_client, 5, poor=True)
    saga.run_until(lambda: Assessment.objects.count() == 5, groups=["eligibility"], complete_payments=False)
    saga.relay()

    crashed = saga.manage("run_consumers", "--group", "payment", "--drain", DSRS_CRASH_AT="consumer.after_db_commit")
    assert crashed.returncode == 86, crashed.stderr
    committed_before_crash = Payment.objects.count()
    assert committed_before_crash >= 1
    assert InboxEvent.objects.filter(consumer_group="payment").count() == committed_before_crash

    restarted = saga.manage("run_consumers", "--group", "payment", "--drain")
    assert restarted.returncode == 0, restarted.stderr
    # The same five, delivered again: those applied before the crash are recognised by the inbox.
    assert (f"payment: received 5 records, applied {5 - committed_before_crash} events, "
            f"skipped {committed_before_crash} duplicates") in restarted.stdout
    assert Payment.objects.count() == 5
    assert OutboxEvent.objects.filter(event_type="payment.payment.scheduled").count() == 5


def test_a_relay_killed_mid_batch_loses_nothing(saga, partner_client):
    register(partner_client, 6, poor=True)

    crashed = saga.manage("relay_outbox", DSRS_CRASH_AT="relay.after_send")
    assert crashed.returncode == 86, crashed.stderr
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 6  # nothing was marked sent

    skipped_before = duplicates_skipped()
    saga.start_consumers()
    saga.run_until(all_paid(6))
    saga.settle()

    assert Assessment.objects.count() == 6 and Payment.objects.count() == 6
    # On Kafka the dead relay had already delivered its batch: the second send arrived as duplicates.
    expected_duplicates = 6 if saga.transport == "kafka" else 0
    assert (duplicates_skipped() - skipped_before)["eligibility"] == expected_duplicates
