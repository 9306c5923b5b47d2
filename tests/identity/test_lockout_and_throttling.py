"""Throttles and login lockout behind a proxy: X-Forwarded-For is believed only from the configured
proxies, and failed logins are limited per username from one source and per source separately."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from dsrs.audit.models import AuditRecord
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough pass phrase"
INGRESS = "10.0.0.2"  # every request behind the ingress comes from its address


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


def refresh(client, **headers):
    return client.post("/api/v1/auth/token/refresh", {"refresh": "not-a-token"}, format="json", **headers)


def login(username, password, *, source, via=None):
    headers = {"REMOTE_ADDR": via or source}
    if via:
        headers["HTTP_X_FORWARDED_FOR"] = f"198.51.100.77, {source}"  # a spoofed entry, then the ingress's
    return APIClient().post("/api/v1/auth/token", {"username": username, "password": password}, format="json",
                            **headers)


def anonymous_limit() -> int:
    return AnonRateThrottle().parse_rate(AnonRateThrottle().get_rate())[0]


def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_throttle():
    client = APIClient()
    answers = [refresh(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n % 250}").status_code
               for n in range(anonymous_limit() + 1)]

    assert 429 not in answers[:-1]
    assert answers[-1] == 429


def test_behind_the_proxy_the_throttle_counts_the_address_the_proxy_saw(behind_one_proxy):
    client = APIClient()
    spoofed = [refresh(client, REMOTE_ADDR=INGRESS, HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 250}, 203.0.113.9")
               .status_code for n in range(anonymous_limit() + 1)]
    another_client = refresh(client, REMOTE_ADDR=INGRESS, HTTP_X_FORWARDED_FOR="203.0.113.10")

    assert spoofed[-1] == 429
    assert another_client.status_code == 401


def test_one_source_cannot_spray_passwords_across_usernames(settings):
    settings.LOGIN_SOURCE_FAILURE_LIMIT = 6
    get_user_model().objects.create_user(username="caseworker", password=PASSWORD)
    get_user_model().objects.create_user(username="sprayer", password=PASSWORD)

    sprayed = [login(f"user{n}", "Summer2026!", source="203.0.113.5").status_code for n in range(5)]
    own_account = login("sprayer", PASSWORD, source="203.0.113.5")  # a success clears only its own failures
    sprayed.append(login("user5", "Summer2026!", source="203.0.113.5").status_code)

    assert sprayed == [401] * 5 + [429] and own_account.status_code == 200  # the 6th failure locks the source
    assert login("caseworker", PASSWORD, source="203.0.113.5").status_code == 429
    assert login("caseworker", PASSWORD, source="203.0.113.6").status_code == 200


def test_failures_of_one_caller_behind_the_ingress_do_not_lock_out_the_others(behind_one_proxy):
    get_user_model().objects.create_user(username="client-doh", password=PASSWORD)

    attacks = [login("client-doh", f"guess {n}", source="203.0.113.66", via=INGRESS).status_code for n in range(5)]
    owner = login("client-doh", PASSWORD, source="203.0.113.20", via=INGRESS)

    assert attacks == [401] * 4 + [429]  # the 5th failure locks that caller out
    assert owner.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_the_audit_trail_records_the_address_the_proxy_saw(behind_one_proxy, staff_user):
    household = HouseholdFactory()
    client = APIClient(REMOTE_ADDR=INGRESS, HTTP_X_FORWARDED_FOR="198.51.100.77, 203.0.113.20")
    client.force_authenticate(staff_user)

    client.get(f"/api/v1/households/{household.id}")

    assert AuditRecord.objects.get(action="read").ip_address == "203.0.113.20"


def test_a_huge_username_is_kept_only_as_long_as_a_username_can_be():
    response = login("x" * 100_000, "whatever", source="203.0.113.5")

    assert response.status_code == 401
    assert {len(name) for name in AccessAttempt.objects.values_list("username", flat=True)} == {150}
    assert {len(name) for name in AccessFailureLog.objects.values_list("username", flat=True)} <= {150}
