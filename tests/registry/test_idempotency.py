"""Idempotency-Key on the registry's writes (issue 12, item 3)."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from registry.idempotency import IdempotencyKey, idempotency_keys_prune
from registry.models import DuplicateCandidate, Household
from tests.conftest import user_with_role
from tests.factories import HouseholdFactory, HouseholdPayloadFactory

pytestmark = pytest.mark.django_db


def post(client, body, key):
    return client.post("/api/v1/households", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_and_body_answers_the_first_answer_and_creates_nothing(api_client):
    body, key = HouseholdPayloadFactory(), str(uuid.uuid4())

    first = post(api_client, body, key)
    retry = post(api_client, dict(reversed(list(body.items()))), key)  # the same body, keys in another order

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert (first["Idempotent-Replayed"], retry["Idempotent-Replayed"]) == ("false", "true")
    assert Household.objects.count() == 1
    assert DuplicateCandidate.objects.count() == 0


def test_the_same_key_with_another_body_is_refused_in_the_error_shape(api_client):
    key = str(uuid.uuid4())
    assert post(api_client, HouseholdPayloadFactory(), key).status_code == 201

    other = post(api_client, HouseholdPayloadFactory(address="Purok 9"), key)

    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert set(other.json()) == {"error"} and set(other.json()["error"]) == {"status", "code", "message"}
    assert Household.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_another_request(api_client):
    key = str(uuid.uuid4())
    created = post(api_client, HouseholdPayloadFactory(), key).json()

    change = api_client.patch(f"/api/v1/households/{created['id']}", {"address": "Purok 9"}, format="json",
                              HTTP_IDEMPOTENCY_KEY=key)

    assert change.status_code == 422


def test_without_a_key_every_post_registers_and_a_bad_key_is_refused(api_client):
    body = HouseholdPayloadFactory()
    assert api_client.post("/api/v1/households", body, format="json").status_code == 201
    assert api_client.post("/api/v1/households", body, format="json").status_code == 201

    bad = post(api_client, body, "a key with spaces")

    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert Household.objects.count() == 2


def test_keys_are_per_caller(api_client):
    body, key = HouseholdPayloadFactory(), str(uuid.uuid4())
    other = APIClient()
    other.force_authenticate(user_with_role("admin"))

    first, second = post(api_client, body, key), post(other, body, key)

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert second["Idempotent-Replayed"] == "false"


def test_a_key_expires_after_the_documented_time(api_client, settings):
    assert settings.REGISTRY_IDEMPOTENCY_KEY_HOURS == 24
    body, key = HouseholdPayloadFactory(), str(uuid.uuid4())
    first = post(api_client, body, key).json()
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    again = post(api_client, body, key)

    assert again.status_code == 201 and again.json()["id"] != first["id"]
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency_keys_prune() == 1 and not IdempotencyKey.objects.exists()


def test_a_failed_request_is_not_kept_and_its_key_can_be_used_again(api_client):
    key, body = str(uuid.uuid4()), HouseholdPayloadFactory()
    broken = {**body, "tenure": "castle"}

    assert post(api_client, broken, key).status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(api_client, body, key).status_code == 201


def test_patch_and_deactivate_replay_too(api_client):
    household = HouseholdFactory()
    key = str(uuid.uuid4())
    url = f"/api/v1/households/{household.id}"
    first = api_client.patch(url, {"address": "Purok 9"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    retry = api_client.patch(url, {"address": "Purok 9"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.json() == retry.json() and retry["Idempotent-Replayed"] == "true"

    key = str(uuid.uuid4())
    body = {"status": "inactive", "reason": "moved away"}
    first = api_client.post(f"{url}/deactivate", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    retry = api_client.post(f"{url}/deactivate", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    household.refresh_from_db()
    assert household.version == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_household():
    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL: set DATABASE_URL")
    user = user_with_role("admin")
    body, key, tries = HouseholdPayloadFactory(), str(uuid.uuid4()), 6
    start, answers = threading.Barrier(tries), []

    def retry():
        client = APIClient()
        client.force_authenticate(user)
        try:
            start.wait()
            answers.append(post(client, body, key))
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [a.status_code for a in answers] == [201] * tries
    assert len({a.json()["id"] for a in answers}) == 1
    assert sorted(a["Idempotent-Replayed"] for a in answers) == ["false"] + ["true"] * (tries - 1)
    assert Household.objects.count() == 1
