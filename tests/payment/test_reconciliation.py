"""Each kind of mismatch in a settlement file becomes an exception and moves nothing; importing the
same file again changes nothing; an officer resolves exceptions."""

import pytest

from dsrs.events.models import OutboxEvent
from payment import services
from payment.models import Payment, PaymentChange, ReconciliationException, SettlementFile
from payment.providers import SettlementRow, provider_for

from .helpers import APPROVER, approved_cycle, enrol, exported_files

pytestmark = pytest.mark.django_db
MIFOS = provider_for("mifos-csv")


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.PAYMENT_FILES_DIR = tmp_path


def sent_lines(count=5):
    enrol(count)
    (file,) = exported_files(approved_cycle())
    return file, MIFOS.read_disbursement_file(services.disbursement_file_path(file).read_bytes())


def row(line, status="COMPLETED", amount=None, number=None, reference=None):
    return SettlementRow(line_number=number or line.line_number, reference=reference or line.reference, status=status,
                         amount_centavos=line.amount_centavos if amount is None else amount, currency="PHP", reason="")


def test_every_kind_of_mismatch_becomes_an_exception_and_reimporting_is_a_no_op():
    file, (a, b, c, d, e) = sent_lines(5)
    cancelled = Payment.objects.get(pk=d.reference.split("-")[0])
    # d's payment was cancelled after sending (by hand here: the lifecycle never does so)
    Payment.objects.filter(pk=cancelled.pk).update(status="cancelled")
    content = MIFOS.settlement_file([
        row(a),                                           # paid
        row(a, number=2),                                 # duplicate line
        row(b, amount=b.amount_centavos + 1),             # amount differs
        row(a, reference="0" * 32 + "-1", number=4),      # unknown reference
        row(d),                                           # line for a cancelled payment
        # c and e are missing from the file
    ], batch_id=a.batch_id)

    result = services.settlement_import(content=content, name="settlement.csv", actor=APPROVER)

    kinds = sorted(ReconciliationException.objects.values_list("kind", flat=True))
    assert kinds == sorted(["duplicate_line", "amount_mismatch", "unknown_reference", "cancelled_payment",
                            "missing", "missing"])
    assert (result.file.paid, result.file.exceptions) == (1, 6)
    statuses = {p.pk.hex: p.status for p in Payment.objects.all()}
    assert [statuses[line.reference.split("-")[0]] for line in (a, b, c, d, e)] == [
        "paid", "sent", "sent", "cancelled", "sent"]
    missing = ReconciliationException.objects.filter(kind="missing").values_list("reference", flat=True)
    assert sorted(missing) == sorted([c.reference, e.reference])

    tables = (Payment.objects.values_list("status", "version").order_by("pk"), OutboxEvent.objects.count(),
              PaymentChange.objects.count(), ReconciliationException.objects.count(), SettlementFile.objects.count())
    again = services.settlement_import(content=content, name="settlement-again.csv", actor=APPROVER)
    assert again.already_imported and again.file == result.file
    assert (list(tables[0]), *tables[1:]) == (
        list(Payment.objects.values_list("status", "version").order_by("pk")), OutboxEvent.objects.count(),
        PaymentChange.objects.count(), ReconciliationException.objects.count(), SettlementFile.objects.count())


def test_a_settled_line_reported_again_in_a_later_file_is_a_duplicate_and_a_return_reverses():
    file, (a, b) = sent_lines(2)
    services.settlement_import(content=MIFOS.settlement_file([row(a), row(b)], batch_id=a.batch_id), name="1.csv",
                               actor=APPROVER)
    services.settlement_import(content=MIFOS.settlement_file([row(a), row(b, "REVERSED")], batch_id=a.batch_id),
                               name="2.csv", actor=APPROVER)
    assert list(ReconciliationException.objects.values_list("kind", "reference")) == [("duplicate_line", a.reference)]
    statuses = sorted(Payment.objects.values_list("status", flat=True))
    assert statuses == ["paid", "reversed"]
    assert OutboxEvent.objects.filter(event_type="payment.payment.reversed").count() == 1


def test_an_officer_resolves_a_missing_payment_as_failed_and_it_can_be_retried():
    file, (a, b) = sent_lines(2)
    services.settlement_import(content=MIFOS.settlement_file([row(a)], batch_id=a.batch_id), name="1.csv",
                               actor=APPROVER)
    exception = ReconciliationException.objects.get(kind="missing")
    with pytest.raises(services.settlement.PaymentError, match="say how"):
        services.exception_resolve(exception_id=exception.pk, actor=APPROVER, resolution="mark_failed", note=" ")
    services.exception_resolve(exception_id=exception.pk, actor=APPROVER, resolution="mark_failed",
                               note="the bank confirmed it never arrived")
    assert sorted(Payment.objects.values_list("status", flat=True)) == ["failed", "paid"]
    assert services.payments_retry(batch_id=file.batch_id, actor=APPROVER) == {"retried": 1, "cancelled": 0}
    exception.refresh_from_db()
    assert (exception.status, exception.resolved_by) == ("resolved", APPROVER)


def test_a_status_the_payment_cannot_take_or_a_line_of_an_earlier_attempt_is_an_unexpected_status():
    file, (a, b, c) = sent_lines(3)
    first = services.settlement_import(content=MIFOS.settlement_file([row(c)], batch_id=c.batch_id), name="1.csv",
                                       actor=APPROVER)
    missing = {e.reference: e for e in ReconciliationException.objects.filter(settlement=first.file, kind="missing")}
    # a: the officer found it paid; b: the officer found it failed, and it is sent again (attempt 2)
    services.exception_resolve(exception_id=missing[a.reference].pk, actor=APPROVER, resolution="mark_paid",
                               note="the bank confirmed the credit")
    services.exception_resolve(exception_id=missing[b.reference].pk, actor=APPROVER, resolution="mark_failed",
                               note="the bank confirmed it never arrived")
    assert services.payments_retry(batch_id=file.batch_id, actor=APPROVER) == {"retried": 1, "cancelled": 0}
    before = (list(Payment.objects.values_list("pk", "status", "version", "attempt").order_by("pk")),
              OutboxEvent.objects.count(), PaymentChange.objects.count())

    # Late answers to the first file: a FAILED for the paid payment, a COMPLETED for b's first attempt.
    late = services.settlement_import(content=MIFOS.settlement_file([row(a, "FAILED"), row(b)], batch_id=a.batch_id),
                                      name="2.csv", actor=APPROVER)

    exceptions = ReconciliationException.objects.filter(settlement=late.file).order_by("reference")
    assert sorted(exceptions.values_list("kind", "reference")) == sorted(
        [("unexpected_status", a.reference), ("unexpected_status", b.reference)])
    by_reference = {e.reference: e for e in exceptions}
    assert "FAILED for a payment paid" in by_reference[a.reference].detail
    assert "at attempt 2 (line of attempt 1)" in by_reference[b.reference].detail
    assert all(e.status == "open" and e.payment_id for e in exceptions)
    assert (late.file.paid, late.file.failed, late.file.reversed, late.file.exceptions) == (0, 0, 0, 2)
    # nothing moved: the same payments, versions and attempts, no event and no change row
    assert (list(Payment.objects.values_list("pk", "status", "version", "attempt").order_by("pk")),
            OutboxEvent.objects.count(), PaymentChange.objects.count()) == before
    statuses = {p.pk.hex: (p.status, p.attempt) for p in Payment.objects.all()}
    assert [statuses[line.reference.split("-")[0]] for line in (a, b, c)] == [
        ("paid", 1), ("approved", 2), ("paid", 1)]
