"""The API against its own OpenAPI schema, fuzzed by schemathesis (issue 8, item 13).

A gunicorn server runs the production settings on this test's PostgreSQL database (with Redis, Kafka and the
MongoDB-wire server of `scripts/infra`), and schemathesis's CLI runs every phase (examples, coverage,
fuzzing, stateful through the schema's links) with a fixed seed and a bounded number of cases, once as a
national administrator and once as a partner client scoped to one region. The server-error, status-code,
content-type and response-schema checks must find nothing. Waivers, if any, go in `schemathesis.toml`
beside this file, each with its reason.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from identity.services import partner_client_create
from tests.conftest import user_with_role
from tests.factories import HouseholdFactory
from tests.identity.test_hardening import production_env
from tests.net import stop_process
from tests.saga.conftest import REPO

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
SEED = 20261201
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
PASSWORD = "a long enough pass phrase"
VII, NCR = "0700000000", "1300000000"
HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def server(tmp_path):
    """gunicorn on 127.0.0.1 with the production settings, on this test's database; stopped by its PID."""
    port = free_port()
    env = production_env() | {
        "DATABASE_URL": database_url(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # TLS ends at the ingress; the fuzzer speaks plain HTTP to the pod
        "REDIS_URL": os.environ["REDIS_URL"],
        "KAFKA_BOOTSTRAP_SERVERS": os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        "MONGODB_URI": os.environ["MONGODB_URI"],
        "MONGODB_DB": f"schemathesis_{uuid.uuid4().hex[:8]}",
        # The rates are production's to choose: here they must not stop the fuzzer from reaching the API
        # (429 itself is part of the schema and checked like every other answer).
        "THROTTLE_ANON": "100000/minute", "THROTTLE_USER": "100000/minute",
        "JWT_ACCESS_MINUTES": "30", "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "dsrs.wsgi:application", "--bind",
                                f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"],
                               cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz/live", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + (tmp_path / "gunicorn.log").read_text()[-5000:])
                time.sleep(0.3)
        yield base, tmp_path / "gunicorn.log"
    finally:
        stop_process(process)
        log.close()


def token(base: str, username: str, password: str) -> str:
    import json

    request = urllib.request.Request(f"{base}/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": username, "password": password}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["access"]


def schemathesis(base: str, access_token: str, report: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "st"), "--config-file", str(HERE / "schemathesis.toml"), "run",
         f"{base}/api/v1/schema", "--url", base, "--checks", CHECKS, "--seed", str(SEED),
         "--max-examples", str(MAX_EXAMPLES), "--phases", "examples,coverage,fuzzing,stateful",
         "--generation-database", "none", "--workers", "2", "--request-timeout", "30", "--no-color",
         "--header", f"Authorization: Bearer {access_token}", "--report", "junit", "--report-junit-path",
         str(report)],
        cwd=report.parent, capture_output=True, text=True, timeout=900)  # its cache stays in the tmp dir


@pytest.mark.parametrize("caller", ["admin", "partner client of one region"])
def test_the_api_answers_as_its_schema_says_to_a_fuzzer(server, caller, tmp_path):
    base, log = server
    for region in (VII, VII, NCR):
        HouseholdFactory(region_code=region)
    if caller == "admin":
        username, password = user_with_role("admin").username, PASSWORD
    else:
        client, password = partner_client_create(name="DOH Region VII", scopes=["registry:read", "registry:write",
                                                 "eligibility:read", "payment:read", "analytics:read"],
                                                 region_codes=[VII])
        username = client.client_id

    result = schemathesis(base, token(base, username, password), tmp_path / "junit.xml")

    errors = [line for line in log.read_text().splitlines() if '"levelname": "ERROR"' in line]
    print(result.stdout, result.stderr, "--- the server's errors ---", *errors[-20:], sep="\n")
    assert result.returncode == 0, "schemathesis found failures: see its report above"
