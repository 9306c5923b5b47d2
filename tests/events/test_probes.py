"""The probes a relay or consumer process serves beside its metrics."""

import json

import pytest

from dsrs.events import metrics


def answer(app, path):
    started = {}
    body = b"".join(app({"PATH_INFO": path}, lambda status, headers: started.update(status=status)))
    return int(started["status"].split()[0]), json.loads(body)


@pytest.fixture
def probes(monkeypatch):
    readiness = {}
    monkeypatch.setattr(metrics, "_readiness", readiness)
    app = metrics._health_app(lambda environ, start_response: [b""], ready=lambda: dict(readiness), live=dict,
                              key="groups")
    return app, readiness


def test_a_process_whose_relay_or_groups_have_not_reported_yet_is_live_but_not_ready(probes):
    app, _ = probes
    assert answer(app, "/healthz/live")[0] == 200
    assert answer(app, "/healthz/ready") == (503, {"status": "unavailable", "groups": {}})


def test_a_process_is_ready_only_while_every_group_it_runs_is(probes):
    app, _ = probes
    metrics.set_ready("payment", True)
    metrics.set_ready("analytics", False)
    assert answer(app, "/healthz/ready")[0] == 503
    metrics.set_ready("analytics", True)
    assert answer(app, "/healthz/ready") == (200, {"status": "ok", "groups": {"payment": True, "analytics": True}})


def test_the_relay_is_ready_once_it_says_so(probes):
    app, _ = probes
    metrics.set_relay_ready(False)
    assert answer(app, "/healthz/ready")[0] == 503
    metrics.set_relay_ready(True)
    assert answer(app, "/healthz/ready") == (200, {"status": "ok", "groups": {"relay": True}})
