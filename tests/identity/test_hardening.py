import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from rest_framework.test import APIClient

from tests.saga.conftest import REPO

pytestmark = pytest.mark.django_db


def production_env() -> dict:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JWT_", "EVENTS_"))}
    return env | {
        "DSRS_PROFILE": "production",
        "DJANGO_SECRET_KEY": "x7#k2!q9" * 8,
        "DJANGO_ALLOWED_HOSTS": "dsrs.example.gov.ph",
        "JWT_PRIVATE_KEY": key,
        "BLIND_INDEX_KEY": "k9#p" * 12,
        "DATABASE_URL": "sqlite:////tmp/dsrs-production-settings-check.sqlite3",
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
        "MONGODB_URI": "mongodb://127.0.0.1:1",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "manage.py"), *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def test_the_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_settings_refuse_unauthenticated_requests():
    script = (
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='dsrs.example.gov.ph', HTTP_X_FORWARDED_PROTO='https')\n"
        "print(c.get('/api/v1/households').status_code)\n"
        "print(c.get('/api/v1/analytics/summary', HTTP_AUTHORIZATION='Bearer not-a-token').status_code)\n"
    )
    result = manage("shell", "-c", script, env=production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["401", "401"]


def test_the_production_profile_will_not_start_without_its_secrets():
    env = production_env()
    del env["JWT_PRIVATE_KEY"]

    result = subprocess.run([sys.executable, "-c", "import dsrs.settings"], env=env, capture_output=True, text=True,
                            timeout=60, cwd=REPO)

    assert result.returncode != 0
    assert "Set the JWT_PRIVATE_KEY environment variable" in result.stderr


def test_passwords_are_hashed_with_argon2():
    user = get_user_model().objects.create_user(username="caseworker", password="a long enough pass phrase")

    assert identify_hasher(user.password).algorithm == "argon2"


def test_repeated_failed_logins_lock_the_account_even_for_the_right_password(settings):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user(username="caseworker", password="a long enough pass phrase")
    client = APIClient()

    failures = [client.post("/api/v1/auth/token", {"username": "caseworker", "password": f"guess {n}"},
                            format="json").status_code for n in range(3)]
    right = client.post("/api/v1/auth/token", {"username": "caseworker", "password": "a long enough pass phrase"},
                        format="json")

    assert failures[:2] == [401, 401]
    assert right.status_code == 429
    assert right.json()["error"]["code"] == "locked_out"


def test_responses_carry_the_security_headers(api_client):
    response = api_client.get("/api/v1/households")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
