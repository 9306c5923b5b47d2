"""A cycle from generation to reconciliation, and the four-eyes rule."""

import pytest

from dsrs.audit.models import AuditRecord
from dsrs.events.models import OutboxEvent
from payment import services
from payment.errors import FourEyes, PaymentError
from payment.models import Batch, Entitlement, Payment
from payment.providers import SettlementRow, provider_for

from .helpers import APPROVER, PREPARER, approved_cycle, enrol, exported_files, generated_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.PAYMENT_FILES_DIR = tmp_path


def settle(file, outcomes: dict[int, str] | None = None) -> bytes:
    provider = provider_for("mifos-csv")
    rows = provider.read_disbursement_file(services.disbursement_file_path(file).read_bytes())
    outcomes = outcomes or {}
    return provider.settlement_file([SettlementRow(line_number=r.line_number, reference=r.reference,
                                                   status=outcomes.get(r.line_number, "COMPLETED"),
                                                   amount_centavos=r.amount_centavos, currency=r.currency,
                                                   reason="AC04: account closed" if outcomes.get(r.line_number) else "")
                                     for r in rows], batch_id=rows[0].batch_id)


def test_the_preparer_cannot_approve_their_own_batch_and_an_unapproved_batch_cannot_be_exported():
    enrol(3)
    cycle = generated_cycle()
    batch = Batch.objects.get(cycle=cycle)
    with pytest.raises(PaymentError, match="unapproved batch cannot be exported"):
        services.batch_export(batch_id=batch.pk, actor=PREPARER)
    services.cycle_submit(cycle_id=cycle.pk, actor=PREPARER)
    with pytest.raises(FourEyes):
        services.batch_approve(batch_id=batch.pk, actor=PREPARER)
    with pytest.raises(PaymentError, match="unapproved batch cannot be exported"):
        services.batch_export(batch_id=batch.pk, actor=APPROVER)
    assert set(Payment.objects.values_list("status", flat=True)) == {"pending"}

    services.batch_approve(batch_id=batch.pk, actor=APPROVER)
    batch.refresh_from_db()
    assert (batch.status, batch.prepared_by, batch.approved_by) == ("approved", PREPARER, APPROVER)
    assert AuditRecord.objects.filter(object_type="payment.batch", actor=APPROVER).exists()
    assert AuditRecord.objects.filter(object_type="payment.batch", actor=PREPARER).exists()


def test_a_second_generation_creates_nothing_and_the_formula_is_recorded():
    enrol(2, children=5)
    cycle = generated_cycle()
    again = services.cycle_generate(cycle_id=cycle.pk, actor=PREPARER)
    assert (again.created, again.already) == (0, 2)
    assert Entitlement.objects.count() == Payment.objects.count() == 2
    assert OutboxEvent.objects.filter(event_type="payment.payment.pending").count() == 2
    entitlement = Entitlement.objects.first()
    # 750 health + 3 of 5 children at 300 = 1,650.00, under the 1,800.00 cap
    assert entitlement.amount_centavos == 165000
    assert entitlement.breakdown["components"][0] == {"code": "education", "qualifying": 5, "paid_members": 3,
                                                      "centavos": 90000}
    assert entitlement.formula_version == 1


def test_one_cycle_exported_settled_and_reconciled_with_a_failure_retried_and_paid(tmp_path):
    enrol(4, children=1)
    cycle = approved_cycle()
    assert cycle.status == "approved"
    (file,) = exported_files(cycle)
    assert services.batch_export(batch_id=file.batch_id, actor=APPROVER) == file  # re-export: the same file
    content = services.disbursement_file_path(file).read_bytes()
    assert file.line_count == 4 and file.total_centavos == 4 * 105000
    services.disbursement_file_path(file).unlink()
    assert services.disbursement_file_path(file).read_bytes() == content  # written again, byte for byte

    result = services.settlement_import(content=settle(file, {2: "FAILED"}), name="s1.csv", actor=APPROVER)
    assert (result.file.paid, result.file.failed, result.file.exceptions) == (3, 1, 0)
    assert services.payments_retry(batch_id=file.batch_id, actor=APPROVER) == {"retried": 1, "cancelled": 0}
    retry_file = services.batch_export(batch_id=file.batch_id, actor=APPROVER)
    assert (retry_file.sequence, retry_file.line_count) == (2, 1)
    services.settlement_import(content=settle(retry_file), name="s2.csv", actor=APPROVER)
    assert sorted(Payment.objects.values_list("status", "attempt")) == [("paid", 1)] * 3 + [("paid", 2)]
    services.cycle_close(cycle_id=cycle.pk, actor=APPROVER)
