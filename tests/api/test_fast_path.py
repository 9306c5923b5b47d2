"""The API's fast paths (issue 12, item 2) answer exactly what the plain ORM answers, write the same audit
rows and keep every check: the hot queries compiled once per connection (dsrs.prepared;
DATABASE_COMPILED_QUERIES), the verified-token cache (JWT_VERIFIED_CACHE_SIZE) and THROTTLE_*=none."""

import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle
from rest_framework_simplejwt.tokens import AccessToken

from dsrs.audit.models import AuditRecord
from identity.authentication import VERIFIED_TOKENS
from identity.services import partner_client_create
from tests.factories import HouseholdFactory, MemberPayloadFactory

pytestmark = pytest.mark.django_db

VII, NCR = "0700000000", "1300000000"
ABSENT = uuid.uuid4()
AUDITED = ("actor", "action", "object_type", "object_ids", "fields", "reason", "channel", "ip_address", "user_agent",
           "method", "path")


def family(size: int) -> list[dict]:
    return [MemberPayloadFactory()] + [MemberPayloadFactory(child=True) for _ in range(size - 1)]


def bearer(user) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")


@pytest.fixture
def households():
    return [HouseholdFactory(region_code=VII, members=family(1 + i % 5)) for i in range(8)] + [
        HouseholdFactory(region_code=NCR, members=family(3)) for _ in range(3)]


@pytest.fixture
def partner():
    client, _ = partner_client_create(name="DSWD VII", scopes=["registry:read", "registry:write"], region_codes=[VII])
    return bearer(client.account)


def answers(callers: dict, households) -> list[tuple]:
    """Every read the fast path serves, by every caller: (what, status, bytes, audit rows written)."""
    got = []
    for name, caller in callers.items():
        urls = [f"/api/v1/households/{h.id}" for h in households] + [
            f"/api/v1/households/{ABSENT}", "/api/v1/households?page_size=3", "/api/v1/households?page_size=50",
            f"/api/v1/households?page_size=4&region_code={VII}"]
        following = caller.get("/api/v1/households?page_size=4").json().get("next")
        urls += [following[following.index("/api/"):]] if following else []
        for url in urls:
            before = AuditRecord.objects.count()
            answer = caller.get(url)
            audit = [tuple(row[f] for f in AUDITED) for row in
                     AuditRecord.objects.order_by("id").values(*AUDITED)[before:]]
            got.append((name, url, answer.status_code, answer.content, audit))
    return got


def test_reads_answer_the_same_bytes_and_audit_rows_with_and_without_compiled_queries(
        settings, households, partner, api_client):
    callers = {"partner of VII": partner, "admin": api_client}
    settings.DATABASE_COMPILED_QUERIES = False
    plain = answers(callers, households)
    settings.DATABASE_COMPILED_QUERIES = True
    compiled = answers(callers, households)
    settings.DATABASE_PREPARED_STATEMENTS = False
    unprepared = answers(callers, households)

    assert compiled == plain
    assert unprepared == plain
    assert {status for _, _, status, _, _ in plain} == {200, 404}
    # NCR households are not the VII partner's: 404 for it, as before; 200 for the national admin
    ncr = str(households[-1].id)
    assert [status for name, url, status, _, _ in compiled if url.endswith(ncr)] == [404, 200]


def test_a_patch_answers_and_audits_the_same_with_and_without_compiled_queries(
        settings, partner, local_transport):
    def patched(compiled: bool):
        settings.DATABASE_COMPILED_QUERIES = compiled
        household = HouseholdFactory(region_code=VII, members=family(3))
        answer = partner.patch(f"/api/v1/households/{household.id}", {"address": "Purok 9"}, format="json")
        body = answer.json()
        audit = AuditRecord.objects.filter(action="update").order_by("-id").values(*AUDITED[:5]).first()
        return answer.status_code, body["address"], len(body["members"]), {**audit, "object_ids": None}

    assert patched(True) == patched(False)


@pytest.mark.postgres
def test_the_hot_queries_run_as_prepared_statements_and_are_counted(settings, households, partner):
    assert connection.vendor == "postgresql", "prepared statements are PostgreSQL's; run with `make test`"
    settings.DATABASE_COMPILED_QUERIES = settings.DATABASE_PREPARED_STATEMENTS = True
    with CaptureQueriesContext(connection) as captured:
        assert partner.get(f"/api/v1/households/{households[0].id}").status_code == 200
    assert len(captured.captured_queries) == 4  # caller, household, members, audit INSERT
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = " ".join(row[0] for row in cursor.fetchall())
    assert '"registry_member"."household_id" = ANY($1)' in prepared
    assert '"registry_household"."region_code" = ANY($2)' in prepared


def test_a_cached_token_still_checks_the_caller_and_the_expiry_every_time(households):
    client, _ = partner_client_create(name="DOH", scopes=["registry:read"], region_codes=[VII])
    token = AccessToken.for_user(client.account)
    caller = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/households/{households[0].id}"
    assert caller.get(url).status_code == 200
    assert caller.get(url).status_code == 200  # the second time from the verified tokens

    client.region_codes = [NCR]
    client.save()
    assert caller.get(url).status_code == 404  # the client's regions are read live

    client.account.is_active = False
    client.account.save()
    assert caller.get(url).status_code == 401

    client.account.is_active = True
    client.account.save()
    assert caller.get(f"/api/v1/households/{households[-1].id}").status_code == 200

    brief = AccessToken.for_user(client.account)
    brief.set_exp(lifetime=timedelta(seconds=1))
    caller = APIClient(HTTP_AUTHORIZATION=f"Bearer {brief}")
    assert caller.get(f"/api/v1/households/{households[-1].id}").status_code == 200
    time.sleep(2.1)
    assert caller.get(f"/api/v1/households/{households[-1].id}").status_code == 401


def test_a_token_answers_the_same_with_and_without_the_verified_token_cache(settings, households, partner):
    settings.JWT_VERIFIED_CACHE_SIZE = 0
    without = [partner.get(f"/api/v1/households/{h.id}").content for h in households]
    settings.JWT_VERIFIED_CACHE_SIZE = 2
    cached = [partner.get(f"/api/v1/households/{h.id}").content for h in households]
    assert cached == without
    assert len(VERIFIED_TOKENS.claims) == 1


def test_a_tampered_token_is_refused_even_when_the_real_one_was_verified(households):
    client, _ = partner_client_create(name="DOH", scopes=["registry:read"], region_codes=[VII])
    token = str(AccessToken.for_user(client.account))
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get(
        f"/api/v1/households/{households[0].id}").status_code == 200
    head, body, signature = token.split(".")
    tampered = f"{head}.{body}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {tampered}").get(
        f"/api/v1/households/{households[0].id}").status_code == 401


def test_throttle_rates_of_none_turn_the_throttles_off_without_the_cache(monkeypatch, households, partner):
    from dsrs.settings import throttle_rate

    monkeypatch.setenv("THROTTLE_USER", "none")
    monkeypatch.setenv("THROTTLE_ANON", " None ")
    assert throttle_rate("THROTTLE_USER", "1200/minute") is None
    assert throttle_rate("THROTTLE_ANON", "60/minute") is None
    monkeypatch.setenv("THROTTLE_USER", "5/minute")
    assert throttle_rate("THROTTLE_USER", "1200/minute") == "5/minute"
    monkeypatch.delenv("THROTTLE_USER")
    assert throttle_rate("THROTTLE_USER", "1200/minute") == "1200/minute"

    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"the throttle used the cache ({name})")

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": None, "anon": None})
    monkeypatch.setattr(SimpleRateThrottle, "cache", Untouchable())
    for _ in range(3):
        assert partner.get(f"/api/v1/households/{households[0].id}").status_code == 200
    assert APIClient().get("/api/v1/households").status_code == 401

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": None})
    with pytest.raises(AssertionError, match="used the cache"):
        partner.get(f"/api/v1/households/{households[0].id}")
    assert UserRateThrottle.scope == "user"
