"""The payment lifecycle, transition by transition: each allowed move emits exactly one event, every
other move is refused with a clear error and emits nothing."""

import pytest

from dsrs.events.models import OutboxEvent
from payment import services, states
from payment.errors import Frozen, IllegalTransition
from payment.models import Batch, Entitlement, Payment, PaymentChange

from .helpers import APPROVER, enrol, generated_cycle

pytestmark = pytest.mark.django_db
ALL = [s for s, _ in Payment.Status.choices]
ALLOWED = [(a, b) for a in ALL for b in sorted(states.PAYMENT[a])]
REFUSED = [(a, b) for a in ALL for b in ALL if b not in states.PAYMENT[a]]


def test_the_table_is_the_issues_lifecycle():
    assert set(ALLOWED) == {("pending", "approved"), ("pending", "cancelled"), ("approved", "sent"),
                            ("approved", "cancelled"), ("sent", "paid"), ("sent", "failed"), ("failed", "approved"),
                            ("failed", "cancelled"), ("paid", "reversed")}


@pytest.fixture
def payment():
    enrol(1)
    generated_cycle()
    return Payment.objects.get()


def put_in(payment: Payment, status: str) -> Payment:
    Payment.objects.filter(pk=payment.pk).update(status=status)
    payment.refresh_from_db()
    return payment


@pytest.mark.parametrize("from_status, to_status", ALLOWED)
def test_an_allowed_transition_emits_exactly_one_event(payment, from_status, to_status):
    put_in(payment, from_status)
    before = OutboxEvent.objects.count()
    services.payment_transition(payment=payment, to_status=to_status, actor=APPROVER, reason="test",
                                retry=(from_status, to_status) == ("failed", "approved"))

    (event,) = OutboxEvent.objects.order_by("-id")[:OutboxEvent.objects.count() - before]
    assert event.event_type == f"payment.payment.{to_status}"
    data = event.envelope["data"]
    assert (data["status"], data["previous_status"], data["payment_version"]) == (to_status, from_status, 2)
    assert data["attempt"] == (2 if from_status == "failed" and to_status == "approved" else 1)
    stored = Payment.objects.get()
    assert (stored.status, stored.version) == (to_status, 2)
    assert PaymentChange.objects.filter(payment=payment, version=2, from_status=from_status).count() == 1


@pytest.mark.parametrize("from_status, to_status", REFUSED)
def test_an_illegal_transition_is_refused_and_emits_nothing(payment, from_status, to_status):
    put_in(payment, from_status)
    before = OutboxEvent.objects.count()
    with pytest.raises(IllegalTransition, match=f"a payment cannot go from {from_status} to {to_status}"):
        services.payment_transition(payment=payment, to_status=to_status, actor=APPROVER)
    assert OutboxEvent.objects.count() == before
    assert Payment.objects.get().status == from_status


def test_one_illegal_payment_refuses_the_whole_call(payment):
    enrol(1)
    services.cycle_generate(cycle_id=payment.cycle_id, actor=APPROVER)
    first, second = Payment.objects.order_by("pk")
    put_in(second, "paid")
    with pytest.raises(IllegalTransition):
        services.payments_transition(payments=[first, second], to_status="approved", actor=APPROVER)
    assert sorted(Payment.objects.values_list("status", flat=True)) == ["paid", "pending"]


def test_an_approved_batchs_amounts_are_frozen(payment):
    Batch.objects.filter(pk=payment.batch_id).update(status="approved")
    entitlement = Entitlement.objects.get()
    entitlement.amount_centavos += 1
    with pytest.raises(Frozen):
        entitlement.save()
