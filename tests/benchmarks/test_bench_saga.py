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
                 stdout=out)

    report = out.getvalue()
    assert "households: 40" in report
    assert "phase 1, register → assessed, enrolled and counted:" in report
    assert "phase 2, one cycle → " in report and "throughput end to end:" in report
    assert "CPU ms per household" in report
