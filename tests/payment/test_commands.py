"""Operators script a cycle with one command per step; the four-eyes rule holds there too."""

import pytest
from django.core.management import CommandError, call_command

from payment.models import DisbursementFile, Payment
from tests.conftest import user_with_role

from .helpers import enrol

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_cycle_scripted_step_by_step_through_the_simulated_provider(settings, tmp_path):
    settings.PAYMENT_FILES_DIR = tmp_path
    alice, bob = user_with_role("payment officer"), user_with_role("payment officer")
    enrol(3, children=2)
    assert "4PS-2026-12" in run("payment_cycle", "create", "--on", "2026-12-03", "--actor", alice.username)
    assert "3 entitlements created" in run("payment_cycle", "generate", "--cycle", "4PS-2026-12", "--actor", alice.username)
    run("payment_cycle", "submit", "--cycle", "4PS-2026-12", "--actor", alice.username)
    with pytest.raises(CommandError, match="another payment officer must approve it"):
        run("payment_cycle", "approve", "--cycle", "4PS-2026-12", "--actor", alice.username)
    run("payment_cycle", "approve", "--cycle", "4PS-2026-12", "--actor", bob.username)
    exported = run("payment_cycle", "export", "--cycle", "4PS-2026-12", "--actor", bob.username)
    file = DisbursementFile.objects.get()
    assert file.sha256 in exported
    assert (tmp_path / f"{file.name}.sha256").read_text() == f"{file.sha256}  {file.name}\n"
    run("simulate_provider", str(tmp_path / file.name), "--fail-share", "0", "--return-share", "0")
    settlement = tmp_path / f"{file.name}.settlement.csv"
    assert "3 paid" in run("payment_cycle", "import", "--file", str(settlement), "--actor", bob.username)
    assert "imported already" in run("payment_cycle", "import", "--file", str(settlement), "--actor", bob.username)
    assert set(Payment.objects.values_list("status", flat=True)) == {"paid"}
    status = run("payment_cycle", "status", "--cycle", "4PS-2026-12")
    assert "paid" in status and "all" in status
    assert "closed" in run("payment_cycle", "close", "--cycle", "4PS-2026-12", "--actor", bob.username)


def test_the_cycle_benchmark_checks_its_totals_and_says_what_earlier_runs_left(settings, tmp_path):
    settings.PAYMENT_FILES_DIR = tmp_path
    # No returns: each household's payment then emits exactly four events (pending, approved, sent, paid or failed).
    bench = ("bench_payment_cycle", "--households", "30", "--batch-size", "10", "--workers", "1", "--return-share", "0")
    first = run(*bench)
    assert "from earlier work" not in first
    assert "control totals:" in first and ": equal" in first
    assert Payment.objects.count() == 30

    second = run(*bench)
    assert "the database holds 30 payments and 120 unsent outbox rows from earlier work" in second
    assert Payment.objects.count() == 60
