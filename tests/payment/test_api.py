"""Payment's read API (issue 9, item 9): each filter narrows a list to what it names, a page's cursor
leads through every row once, a regional caller sees its own regions only, a cycle's totals add up to
the centavo, and a filter that cannot be read is refused in the error shape."""

import uuid
from datetime import date

import pytest
from rest_framework.test import APIClient

from identity.models import StaffProfile
from payment import services
from payment.models import Batch, Entitlement, Payment
from tests.conftest import user_with_role
from tests.payment.helpers import CENTRAL_VISAYAS, enrol, enrolment, generated_cycle

pytestmark = pytest.mark.django_db

NCR = "1300000000"


@pytest.fixture
def december():
    """Three households of Central Visayas (one child each) and two of NCR (three children each) in a
    generated December cycle; the first Visayas household suspended, so its payment is cancelled."""
    visayas, ncr = enrol(3, children=1), enrol(2, children=3, region_code=NCR)
    cycle = generated_cycle()
    services.enrolments_apply(changes=[enrolment(visayas[0], status="suspended", version=2)])
    return cycle, visayas, ncr


def households(answer) -> set[uuid.UUID]:
    assert answer.status_code == 200, answer.content
    return {uuid.UUID(row["household_id"]) for row in answer.json()["results"]}


def regional(role: str, regions: list[str]) -> APIClient:
    user = user_with_role(role)
    StaffProfile.objects.create(user=user, region_codes=regions)
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_each_filter_of_the_payments_list_narrows_it_to_what_it_names(api_client, december):
    cycle, visayas, ncr = december
    ncr_batch = Batch.objects.get(cycle=cycle, region_code=NCR)

    def listed(**query):
        return households(api_client.get("/api/v1/payments", query))

    assert listed() == set(visayas) | set(ncr)
    assert listed(program_code="4PS", cycle_code=cycle.code) == set(visayas) | set(ncr)
    assert listed(cycle_code="4PS-1999-01") == set()
    assert listed(program_code="SOCPEN") == set()
    assert listed(status="cancelled") == {visayas[0]}
    assert listed(status="pending") == set(visayas[1:]) | set(ncr)
    assert listed(region_code=NCR) == set(ncr)
    assert listed(household_id=str(visayas[1])) == {visayas[1]}
    assert listed(batch_id=str(ncr_batch.pk)) == set(ncr)
    assert listed(since=date.today().isoformat(), until=date.today().isoformat()) == set(visayas) | set(ncr)
    assert listed(until="2000-01-01") == set()


def test_entitlements_batches_and_cycles_are_filtered_the_same_way(api_client, december):
    cycle, visayas, ncr = december

    answer = api_client.get("/api/v1/entitlements", {"household_id": str(ncr[0])}).json()["results"]
    assert [(row["household_id"], row["amount_centavos"], row["payment_status"]) for row in answer] == [
        (str(ncr[0]), Entitlement.objects.get(household_id=ncr[0]).amount_centavos, "pending")]
    assert answer[0]["formula_version"] and answer[0]["breakdown"]
    assert households(api_client.get("/api/v1/entitlements", {"status": "cancelled"})) == {visayas[0]}

    batches = api_client.get("/api/v1/payment-batches", {"region_code": NCR}).json()["results"]
    assert [(row["region_code"], row["payment_count"]) for row in batches] == [(NCR, 2)]
    assert api_client.get("/api/v1/payment-batches", {"household_id": str(visayas[1])}).json()["results"][0][
        "region_code"] == CENTRAL_VISAYAS
    assert api_client.get("/api/v1/payment-batches", {"status": "approved"}).json()["results"] == []

    assert [row["code"] for row in api_client.get("/api/v1/payment-cycles", {"status": "draft"}).json()["results"]] == [
        cycle.code]
    assert api_client.get("/api/v1/payment-cycles", {"status": "closed"}).json()["results"] == []
    assert [row["code"] for row in api_client.get("/api/v1/payment-cycles", {"region_code": NCR}).json()[
        "results"]] == [cycle.code]
    assert api_client.get("/api/v1/payment-cycles", {"region_code": "0100000000"}).json()["results"] == []


def test_following_the_cursor_lists_every_payment_once(api_client, december):
    _, visayas, ncr = december
    seen, url = [], "/api/v1/payments?page_size=2"
    while url:
        page = api_client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"] and page["next"][page["next"].index("/api/"):]

    assert sorted(seen) == sorted(str(pk) for pk in Payment.objects.values_list("pk", flat=True))
    assert len(seen) == len(visayas) + len(ncr) == 5


def test_a_regional_supervisor_sees_only_the_payments_and_totals_of_their_regions(december):
    cycle, visayas, ncr = december
    supervisor = regional("supervisor", [NCR])

    assert households(supervisor.get("/api/v1/payments")) == set(ncr)
    assert households(supervisor.get("/api/v1/payments", {"region_code": CENTRAL_VISAYAS})) == set()
    assert households(supervisor.get("/api/v1/entitlements")) == set(ncr)
    totals = supervisor.get(f"/api/v1/payment-cycles/{cycle.pk}/totals").json()["totals"]
    assert totals["all"] == {"count": 2, "centavos": sum(
        Entitlement.objects.filter(household_id__in=ncr).values_list("amount_centavos", flat=True))}


def test_a_cycles_totals_add_up_to_the_centavo(api_client, december):
    cycle, visayas, ncr = december
    answer = api_client.get(f"/api/v1/payment-cycles/{cycle.pk}/totals").json()
    totals = answer["totals"]

    amounts = dict(Payment.objects.values_list("household_id", "amount_centavos"))
    assert totals["cancelled"] == {"count": 1, "centavos": amounts[visayas[0]]}
    assert totals["pending"] == {"count": 4, "centavos": sum(amounts[h] for h in visayas[1:] + ncr)}
    assert totals["all"]["centavos"] == sum(amounts.values()) == answer["cycle"]["total_centavos"]
    assert answer["cycle"]["total"] == f"{sum(amounts.values()) // 100}.{sum(amounts.values()) % 100:02d}"
    assert api_client.get(f"/api/v1/payment-cycles/{uuid.uuid4()}/totals").status_code == 404


@pytest.mark.parametrize("path, query, field", [
    ("/api/v1/payments", {"status": "lost"}, "status"),
    ("/api/v1/payments", {"region_code": "Region VII"}, "region_code"),
    ("/api/v1/payments", {"household_id": "not-a-uuid"}, "household_id"),
    ("/api/v1/entitlements", {"since": "last week"}, "since"),
    ("/api/v1/payment-batches", {"page_size": "0"}, "page_size"),
    ("/api/v1/payments", {"page_size": "501"}, "page_size"),
    ("/api/v1/entitlements", {"page_size": "ten"}, "page_size"),
    ("/api/v1/payment-cycles", {"status": "paid"}, "status"),
])
def test_a_filter_that_cannot_be_read_is_refused_naming_it(api_client, december, path, query, field):
    answer = api_client.get(path, query)

    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"].startswith("application/json")
    assert field in answer.json()["error"]["fields"]
