"""No N+1 (issue 12, item 2): each endpoint's number of queries does not grow with the size of its
answer. Each test counts one request answering few rows and one answering many; they must be equal."""

import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.eligibility.factories import HouseholdDataFactory, MemberFactsFactory, deliver
from tests.factories import HouseholdFactory, MemberPayloadFactory

pytestmark = pytest.mark.django_db

VII = "0700000000"


@pytest.fixture(autouse=True)
def _caller_resolved(api_client):
    """The test client keeps one user object, whose permissions Django caches after its first request:
    make that request here, so that each count below is a request like every later one."""
    api_client.get("/api/v1/households/00000000-0000-0000-0000-000000000000")


def queries(api_client, method: str, url: str, body=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = getattr(api_client, method)(url, body, format="json") if body is not None else getattr(
            api_client, method)(url)
    assert answer.status_code == 200, answer.content
    return len(captured.captured_queries)


def family(size: int) -> list[dict]:
    return [MemberPayloadFactory()] + [MemberPayloadFactory(child=True) for _ in range(size - 1)]


def test_a_page_of_households_costs_the_same_queries_at_any_page_size(api_client):
    for _ in range(30):
        HouseholdFactory(region_code=VII, members=family(4))

    small = queries(api_client, "get", "/api/v1/households?page_size=2")
    large = queries(api_client, "get", "/api/v1/households?page_size=30")
    following = api_client.get("/api/v1/households?page_size=10").json()["next"]
    deeper = queries(api_client, "get", following[following.index("/api/"):])

    assert small == large == deeper


def test_one_household_costs_the_same_queries_with_one_member_or_eight(api_client):
    alone, large = HouseholdFactory(members=family(1)), HouseholdFactory(members=family(8))

    assert queries(api_client, "get", f"/api/v1/households/{alone.id}") == queries(
        api_client, "get", f"/api/v1/households/{large.id}")


def test_a_lookup_costs_the_same_queries_for_one_household_or_many(api_client):
    HouseholdFactory(phone_number="09170000001", members=family(2))
    for _ in range(6):
        HouseholdFactory(phone_number="09170000002", members=family(4))

    one = queries(api_client, "post", "/api/v1/households/lookup", {"phone_number": "09170000001"})
    many = queries(api_client, "post", "/api/v1/households/lookup", {"phone_number": "09170000002"})

    assert one == many


def test_a_change_costs_the_same_queries_for_a_small_household_or_a_large_one(api_client, local_transport):
    small, large = HouseholdFactory(members=family(1)), HouseholdFactory(members=family(8))

    assert queries(api_client, "patch", f"/api/v1/households/{small.id}", {"address": "Purok 9"}) == queries(
        api_client, "patch", f"/api/v1/households/{large.id}", {"address": "Purok 9"})


def test_a_registration_costs_the_same_queries_for_two_members_or_eight(api_client, local_transport):
    from tests.factories import HouseholdPayloadFactory

    def register(size):
        return queries_of_post(api_client, HouseholdPayloadFactory(members=family(size)))

    register(2)  # the PMT model's weights are cached after the first
    assert register(2) == register(8)


def queries_of_post(api_client, body) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = api_client.post("/api/v1/households", body, format="json")
    assert answer.status_code == 201, answer.content
    return len(captured.captured_queries)


def test_a_page_of_assessments_costs_the_same_queries_at_any_page_size(api_client):
    deliver(*[HouseholdDataFactory(members=[MemberFactsFactory(), MemberFactsFactory()]) for _ in range(25)])

    assert queries(api_client, "get", "/api/v1/assessments?page_size=2") == queries(
        api_client, "get", "/api/v1/assessments?page_size=25")


def test_a_partner_clients_token_is_resolved_to_its_caller_in_one_query():
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from identity.services import partner_client_create

    client, _ = partner_client_create(name="DOH", scopes=["registry:read"], region_codes=[VII])
    household = HouseholdFactory(region_code=VII, members=family(3))
    caller = APIClient(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(client.account)}")

    with CaptureQueriesContext(connection) as captured:
        assert caller.get(f"/api/v1/households/{household.id}").status_code == 200

    tables = [q["sql"].split(" FROM ")[1].split()[0] if " FROM " in q["sql"] else q["sql"].split()[0:3]
              for q in captured.captured_queries]
    # the user with its client and profile; the household; its members; the audit record
    assert len(captured.captured_queries) == 4, tables


def listed(api_client, endpoint: str) -> int:
    return len(api_client.get(f"/api/v1/{endpoint}?page_size=100").json()["results"])


def test_a_page_of_enrolments_costs_the_same_queries_at_any_page_size(api_client):
    deliver(*[HouseholdDataFactory(members=[MemberFactsFactory(), MemberFactsFactory()]) for _ in range(25)])
    enrolments = listed(api_client, "enrolments")
    assert enrolments > 2  # enough for the large page to be larger

    assert queries(api_client, "get", "/api/v1/enrolments?page_size=2") == queries(
        api_client, "get", f"/api/v1/enrolments?page_size={enrolments}")


@pytest.mark.parametrize("endpoint", ["payments", "entitlements"])
def test_a_page_of_a_cycles_payments_costs_the_same_queries_at_any_page_size(api_client, endpoint):
    from tests.payment.helpers import payments_for

    payments_for([(uuid.uuid4(), VII) for _ in range(25)])
    assert listed(api_client, endpoint) == 25

    assert queries(api_client, "get", f"/api/v1/{endpoint}?page_size=2") == queries(
        api_client, "get", f"/api/v1/{endpoint}?page_size=25")


def test_a_page_of_cycles_and_of_batches_costs_the_same_queries_at_any_page_size(api_client):
    from tests.payment.helpers import enrol, generated_cycle

    enrol(6, region_code=VII)
    enrol(6, region_code="0600000000")  # a batch per region and cycle
    for month in (1, 3, 5):
        generated_cycle(on=date(2027, month, 5))
    assert listed(api_client, "payment-cycles") == 3 and listed(api_client, "payment-batches") == 6

    for endpoint in ("payment-cycles", "payment-batches"):
        assert queries(api_client, "get", f"/api/v1/{endpoint}?page_size=1") == queries(
            api_client, "get", f"/api/v1/{endpoint}?page_size=100"), endpoint
