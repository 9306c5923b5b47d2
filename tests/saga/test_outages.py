"""Servers stop while caseworkers keep registering households; nothing is lost or doubled."""

import os
import subprocess
import sys
import time

import pytest

from analytics.selectors import summary_get
from dsrs.events.models import DeadLetter, OutboxEvent
from dsrs.events.relay import RelayIncomplete, relay_once
from dsrs.events.runtime import TransientError
from payment.models import Payment
from payment.runs import cycle_run
from tests.net import free_port, status_of
from tests.saga.conftest import REPO
from tests.saga.test_saga import APPROVER, DECEMBER, PREPARER, all_assessed, all_paid, enrolled_in_payment, register

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.kafka]


def pay_the_cycle() -> None:
    """One 4PS cycle for every household enrolled in payment, through the simulated provider, all paid."""
    cycle_run(program_code="4PS", on=DECEMBER, preparer=PREPARER, approver=APPROVER)


def infra(action: str, service: str = "kafka") -> None:
    subprocess.run([str(REPO / "scripts" / "infra"), action, service], check=True, timeout=180,
                   env=dict(os.environ))


@pytest.mark.parametrize("saga", ["kafka"], indirect=True)
def test_events_written_while_the_broker_is_down_all_arrive_once_it_is_back(saga, partner_client):
    register(partner_client, 3, poor=True)
    saga.start_consumers()
    saga.run_until(enrolled_in_payment(3))

    infra("down")
    try:
        during_outage = register(partner_client, 5, poor=True)  # the API does not need the broker
        with pytest.raises(RelayIncomplete):
            relay_once()
        assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 5
    finally:
        infra("up")

    saga.run_until(enrolled_in_payment(8), timeout=180)
    pay_the_cycle()
    saga.run_until(all_paid(8), timeout=180)
    saga.settle(seconds=3)

    assert sorted(str(h) for h in Payment.objects.filter(household_id__in=during_outage)
                  .values_list("household_id", flat=True)) == sorted(during_outage)
    assert Payment.objects.count() == 8
    summary = summary_get()
    assert (summary.assessed, summary.approved, summary.payments_completed) == (8, 8, 8)


@pytest.mark.parametrize("saga", ["kafka"], indirect=True)
def test_an_unreachable_read_model_stops_analytics_and_loses_nothing_once_it_is_back(saga, partner_client):
    register(partner_client, 2, poor=True)
    saga.start_consumers()
    saga.run_until(all_assessed(2))

    infra("down", "mongo")
    try:
        register(partner_client, 3, poor=True)
        saga.run_until(enrolled_in_payment(5), groups=["eligibility", "payment"])
        pay_the_cycle()
        assert Payment.objects.filter(status="paid").count() == 5
        saga.relay()
        with pytest.raises(TransientError):
            saga.run_until(lambda: False, groups=["analytics"], timeout=60)
        assert DeadLetter.objects.count() == 0  # an outage is not the events' fault
    finally:
        infra("up", "mongo")

    # As `run_consumers` does after an infrastructure error: a fresh consumer, from the committed offsets.
    saga.runtimes.pop("analytics").close()
    saga.start_consumers(["analytics"])
    saga.run_until(all_paid(5), timeout=120)
    saga.settle()

    summary = summary_get()
    assert (summary.assessed, summary.approved, summary.payments_scheduled, summary.payments_completed) == (5, 5, 5, 5)
    assert DeadLetter.objects.count() == 0


def _readiness(port: int) -> int:
    """The status of a consumer process's readiness probe (0 while it does not answer at all)."""
    return status_of(f"http://127.0.0.1:{port}/healthz/ready")


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not {what} after {timeout}s"
        time.sleep(0.5)


class _Processes:
    """`manage.py` subprocesses of one test, their output kept in files for the failure message."""

    def __init__(self, saga, folder):
        self.saga, self.folder, self.running = saga, folder, {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        out = open(self.folder / f"{name}.log", "w")
        self.running[name] = subprocess.Popen([sys.executable, str(REPO / "manage.py"), *args], cwd=REPO,
                                              env=self.saga.subprocess_env(), stdout=out, stderr=subprocess.STDOUT)
        return self.running[name]

    def assert_alive(self) -> None:
        exited = {name: p.returncode for name, p in self.running.items() if p.poll() is not None}
        assert not exited, f"exited: {exited}\n" + "\n".join(
            f"--- {name}\n{(self.folder / f'{name}.log').read_text()[-3000:]}" for name in exited)

    def stop(self) -> dict[str, int]:
        for process in self.running.values():
            if process.poll() is None:
                process.terminate()
        return {name: process.wait(60) for name, process in self.running.items()}


@pytest.mark.parametrize("saga", ["kafka"], indirect=True)
def test_consumers_running_and_starting_ride_out_a_minute_without_the_broker(saga, partner_client, tmp_path):
    processes = _Processes(saga, tmp_path)
    running_port, starting_port = free_port(), free_port()
    try:
        processes.start("relay", "relay_outbox", "--follow", "--idle-sleep", "0.05")
        processes.start("running", "run_consumers", "--group", "eligibility", "--group", "payment",
                        "--metrics-port", str(running_port))
        register(partner_client, 3, poor=True)
        _wait_for(enrolled_in_payment(3), 90, "3 households enrolled in payment")
        assert _readiness(running_port) == 200

        infra("down")
        try:
            during_outage = register(partner_client, 5, poor=True)
            # A consumer that starts while the broker is away (analytics has had none until now).
            processes.start("starting", "run_consumers", "--group", "analytics", "--metrics-port", str(starting_port))
            outage_ends = time.monotonic() + 60
            while time.monotonic() < outage_ends:
                processes.assert_alive()
                time.sleep(1)
            assert (_readiness(running_port), _readiness(starting_port)) == (503, 503)
        finally:
            infra("up")

        _wait_for(enrolled_in_payment(8), 180, "8 households enrolled in payment")
        pay_the_cycle()
        _wait_for(all_paid(8), 180, "8 payments paid in analytics")
        _wait_for(lambda: (_readiness(running_port), _readiness(starting_port)) == (200, 200), 60, "ready again")
        time.sleep(5)  # time for a late duplicate to show
        processes.assert_alive()
    finally:
        exit_codes = processes.stop()

    assert exit_codes == {"relay": 0, "running": 0, "starting": 0}
    assert sorted(str(h) for h in Payment.objects.filter(household_id__in=during_outage)
                  .values_list("household_id", flat=True)) == sorted(during_outage)
    assert Payment.objects.count() == 8
    summary = summary_get()
    assert (summary.assessed, summary.approved, summary.payments_scheduled, summary.payments_completed) == (8, 8, 8, 8)
    assert DeadLetter.objects.count() == 0
