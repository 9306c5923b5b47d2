from io import StringIO

import pytest
from django.core.management import call_command

from tests.saga.conftest import Saga

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_benchmark_runs_the_saga_end_to_end_and_reports_its_figures(local_transport, monkeypatch):
    for name, value in Saga("local", "").subprocess_env().items():
        monkeypatch.setenv(name, value)  # its worker processes must share this test's database
    monkeypatch.setenv("MONGODB_URI", "")
    out = StringIO()

    call_command("bench_saga", "--households", "40", "--chunk", "10", "--transport", "local", "--timeout", "120",
                 "--rescore", stdout=out)

    report = out.getvalue()
    assert "households: 40" in report and "relay and consumers ready in" in report
    assert "phase 1, register → assessed, enrolled and counted:" in report
    assert "phase 2, one cycle → " in report and "throughput end to end:" in report
    assert "phase 3, a new PMT model → 40 households rescored, re-decided and counted:" in report
    assert "rescored 40 of 40 households" in report  # every score changed, to the clamped 1
    assert "CPU ms per household" in report
    from registry.models import PmtModel

    (active,) = PmtModel.objects.filter(status=PmtModel.Status.ACTIVE)
    assert active.intercept < 100  # the original model scores again
