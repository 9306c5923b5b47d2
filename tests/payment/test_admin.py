"""The officer's admin: every page answers, and batch actions show their result or their refusal."""

import pytest
from django.test import Client

from payment.models import Batch, Cycle, Payment, ReconciliationException
from tests.conftest import user_with_role

from .helpers import enrol

pytestmark = pytest.mark.django_db
PAGES = ["program", "formula", "cycle", "batch", "entitlement", "payment", "disbursementfile", "settlementfile",
         "reconciliationexception"]


def signed_in(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_a_cycle_run_from_the_admin_by_two_officers(settings, tmp_path):
    settings.PAYMENT_FILES_DIR = tmp_path
    alice, bob = signed_in(user_with_role("payment officer")), signed_in(user_with_role("payment officer"))
    enrol(2)
    from payment.models import Program

    alice.post("/admin/payment/program/", {"action": "create_current_cycle",
                                            "_selected_action": [Program.objects.get(code="4PS").pk]})
    cycle = Cycle.objects.get()
    for action in ("generate", "submit"):
        response = alice.post("/admin/payment/cycle/", {"action": action, "_selected_action": [cycle.pk]}, follow=True)
        assert response.status_code == 200
    batch = Batch.objects.get()
    refused = alice.post("/admin/payment/batch/", {"action": "approve", "_selected_action": [batch.pk]}, follow=True)
    assert "another payment officer must approve it" in refused.content.decode()
    approved = bob.post("/admin/payment/batch/", {"action": "approve", "_selected_action": [batch.pk]}, follow=True)
    assert "approved, 2 payments" in approved.content.decode()
    exported = bob.post("/admin/payment/batch/", {"action": "export", "_selected_action": [batch.pk]}, follow=True)
    assert "sha256" in exported.content.decode()
    assert set(Payment.objects.values_list("status", flat=True)) == {"sent"}
    for page in PAGES:
        assert bob.get(f"/admin/payment/{page}/").status_code == 200, page
    assert bob.get(f"/admin/payment/cycle/{cycle.pk}/change/").status_code == 200
    assert bob.get(f"/admin/payment/batch/{batch.pk}/change/").status_code == 200
    assert bob.get("/admin/payment/settlementfile/import/").status_code == 200


def test_an_officer_resolves_an_exception_in_the_admin(settings, tmp_path):
    from payment import services
    from payment.providers import SettlementRow, provider_for

    from .helpers import APPROVER, approved_cycle, exported_files

    settings.PAYMENT_FILES_DIR = tmp_path
    enrol(1)
    (file,) = exported_files(approved_cycle())
    content = provider_for("mifos-csv").settlement_file(
        [SettlementRow(line_number=1, reference="nothing-we-sent", status="COMPLETED", amount_centavos=1,
                       currency="PHP", reason="")], batch_id=str(file.batch_id))
    services.settlement_import(content=content, name="x.csv", actor=APPROVER)
    unknown = ReconciliationException.objects.get(kind="unknown_reference")
    bob = signed_in(user_with_role("payment officer"))
    response = bob.post(f"/admin/payment/reconciliationexception/{unknown.pk}/change/",
                        {"decision": "dismiss", "note": "the bank's test line"}, follow=True)
    assert response.status_code == 200
    unknown.refresh_from_db()
    assert unknown.status == "resolved" and unknown.resolution == "dismiss: the bank's test line"
