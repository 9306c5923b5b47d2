"""Every role × endpoint × region: who may read and change what, and whose households they see."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from dsrs.audit.models import AuditRecord
from eligibility.models import Assessment
from identity import services
from identity.models import PartnerClient, StaffProfile
from payment.models import Payment
from tests.payment.helpers import payments_for
from tests.conftest import user_with_role
from tests.factories import HouseholdFactory, HouseholdPayloadFactory, location_in

pytestmark = pytest.mark.django_db

NCR, VII = "1300000000", "0700000000"


def staff(role, regions=()):
    user = user_with_role(role)
    StaffProfile.objects.create(user=user, region_codes=list(regions))
    return user


def partner(scopes, regions):
    account = get_user_model().objects.create_user(username=f"client-{len(scopes)}-{regions[0]}", password="x" * 20)
    PartnerClient.objects.create(name="DOH", account=account, scopes=scopes, region_codes=list(regions))
    return account


CALLERS = {
    "caseworker NCR": lambda: staff("caseworker", [NCR]),
    "supervisor NCR": lambda: staff("supervisor", [NCR]),
    "program officer": lambda: staff("program officer"),
    "payment officer": lambda: staff("payment officer"),
    "auditor": lambda: staff("auditor"),
    "admin": lambda: staff("admin"),
    "client read VII": lambda: partner(["registry:read"], [VII]),
    "client write NCR": lambda: partner(["registry:read", "registry:write", "analytics:read"], [NCR]),
    "anonymous": lambda: None,
}

# endpoint -> the status each caller gets; lists also say how many rows (of one per region) they see.
EXPECTED = {
    "list households": {"caseworker NCR": (200, 1), "supervisor NCR": (200, 1), "program officer": (200, 2),
                        "payment officer": (200, 2), "auditor": (200, 2), "admin": (200, 2),
                        "client read VII": (200, 1), "client write NCR": (200, 1), "anonymous": 401},
    "read NCR household": {"caseworker NCR": 200, "supervisor NCR": 200, "program officer": 200,
                           "payment officer": 200, "auditor": 200, "admin": 200, "client read VII": 404,
                           "client write NCR": 200, "anonymous": 401},
    "read VII household": {"caseworker NCR": 404, "supervisor NCR": 404, "program officer": 200,
                           "payment officer": 200, "auditor": 200, "admin": 200, "client read VII": 200,
                           "client write NCR": 404, "anonymous": 401},
    "register in NCR": {"caseworker NCR": 201, "supervisor NCR": 201, "program officer": 403,
                        "payment officer": 403, "auditor": 403, "admin": 201, "client read VII": 403,
                        "client write NCR": 201, "anonymous": 401},
    "register in VII": {"caseworker NCR": 403, "supervisor NCR": 403, "program officer": 403,
                        "payment officer": 403, "auditor": 403, "admin": 201, "client read VII": 403,
                        "client write NCR": 403, "anonymous": 401},
    "update NCR household": {"caseworker NCR": 200, "supervisor NCR": 200, "program officer": 403,
                             "payment officer": 403, "auditor": 403, "admin": 200, "client read VII": 403,
                             "client write NCR": 200, "anonymous": 401},
    "move NCR household to VII": {"caseworker NCR": 403, "supervisor NCR": 403, "admin": 200,
                                  "client write NCR": 403, "anonymous": 401},
    "deactivate NCR household": {"caseworker NCR": 200, "supervisor NCR": 200, "program officer": 403,
                                 "payment officer": 403, "auditor": 403, "admin": 200, "client read VII": 403,
                                 "client write NCR": 200, "anonymous": 401},
    "deactivate VII household": {"caseworker NCR": 404, "client write NCR": 404, "admin": 200},
    "list assessments": {"caseworker NCR": 403, "supervisor NCR": (200, 1), "program officer": (200, 2),
                         "payment officer": 403, "auditor": (200, 2), "admin": (200, 2),
                         "client read VII": 403, "client write NCR": 403, "anonymous": 401},
    "list payments": {"caseworker NCR": 403, "supervisor NCR": (200, 1), "program officer": 403,
                      "payment officer": (200, 2), "auditor": (200, 2), "admin": (200, 2),
                      "client read VII": 403, "client write NCR": 403, "anonymous": 401},
    "NCR summary": {"caseworker NCR": 403, "supervisor NCR": 200, "program officer": 200, "payment officer": 200,
                    "auditor": 200, "admin": 200, "client read VII": 403, "client write NCR": 200,
                    "anonymous": 401},
    "national summary": {"caseworker NCR": 403, "supervisor NCR": 403, "program officer": 200,
                         "payment officer": 200, "auditor": 200, "admin": 200, "client read VII": 403,
                         "client write NCR": 403, "anonymous": 401},
}


def call(client, endpoint, homes):
    ncr, vii = homes
    requests = {
        "list households": lambda: client.get("/api/v1/households"),
        "read NCR household": lambda: client.get(f"/api/v1/households/{ncr.id}"),
        "read VII household": lambda: client.get(f"/api/v1/households/{vii.id}"),
        "register in NCR": lambda: client.post("/api/v1/households", HouseholdPayloadFactory(region_code=NCR),
                                               format="json"),
        "register in VII": lambda: client.post("/api/v1/households", HouseholdPayloadFactory(region_code=VII),
                                               format="json"),
        "update NCR household": lambda: client.patch(f"/api/v1/households/{ncr.id}", {"has_electricity": False},
                                                     format="json"),
        "move NCR household to VII": lambda: client.patch(f"/api/v1/households/{ncr.id}", location_in(VII),
                                                          format="json"),
        "deactivate NCR household": lambda: client.post(f"/api/v1/households/{ncr.id}/deactivate",
                                                        {"status": "transferred", "reason": "moved"}, format="json"),
        "deactivate VII household": lambda: client.post(f"/api/v1/households/{vii.id}/deactivate",
                                                        {"status": "transferred", "reason": "moved"}, format="json"),
        "list assessments": lambda: client.get("/api/v1/assessments"),
        "list payments": lambda: client.get("/api/v1/payments"),
        "NCR summary": lambda: client.get("/api/v1/analytics/summary", {"region_code": NCR}),
        "national summary": lambda: client.get("/api/v1/analytics/summary"),
    }
    return requests[endpoint]()


@pytest.fixture
def homes(local_transport):
    households = [HouseholdFactory(region_code=NCR), HouseholdFactory(region_code=VII)]
    for household in households:
        assessment = Assessment.objects.create(
            household_id=household.id, household_version=1, program_code="4PS", decision="approved",
            region_code=household.region_code, pmt_score=Decimal("0.2"), monthly_income=Decimal("4000"), rule={},
            source_event_id=household.id)
    payments_for([(household.id, household.region_code) for household in households])
    assert Payment.objects.count() == 2
    return households


@pytest.mark.parametrize("caller, endpoint", [(c, e) for e in EXPECTED for c in EXPECTED[e]])
def test_access(caller, endpoint, homes):
    client = APIClient()
    user = CALLERS[caller]()
    if user is not None:
        client.force_authenticate(user)

    response = call(client, endpoint, homes)

    expected = EXPECTED[endpoint][caller]
    status, rows = expected if isinstance(expected, tuple) else (expected, None)
    assert response.status_code == status, response.content
    if rows is not None:
        assert len(response.json()["results"]) == rows


def test_a_revoked_partner_clients_valid_token_is_refused_at_once(local_transport):
    account = partner(["registry:read"], [NCR])
    token = APIClient().post("/api/v1/auth/token", {"username": account.username, "password": "x" * 20},
                             format="json").json()["access"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/households").status_code == 200

    services.partner_client_revoke(client=account.partner_client)

    assert client.get("/api/v1/households").status_code == 401


def test_a_rotated_secret_replaces_the_old_one_and_ends_its_refresh_tokens(local_transport):
    client, secret = services.partner_client_create(name="DOH", scopes=["registry:read"], region_codes=[NCR])
    old_refresh = APIClient().post("/api/v1/auth/token", {"username": client.client_id, "password": secret},
                                   format="json").json()["refresh"]

    new_secret = services.partner_client_rotate_secret(client=client)

    def token(password):
        return APIClient().post("/api/v1/auth/token", {"username": client.client_id, "password": password},
                                format="json").status_code

    assert (token(secret), token(new_secret)) == (401, 200)
    assert APIClient().post("/api/v1/auth/token/refresh", {"refresh": old_refresh}, format="json").status_code == 401


def test_unknown_scopes_are_refused():
    with pytest.raises(ValueError, match="unknown scopes: payment:write"):
        services.partner_client_create(name="DOH", scopes=["payment:write"], region_codes=[NCR])


def test_a_regional_caseworker_sees_only_their_regions_in_the_admin(client, homes):
    caseworker = staff("caseworker", [NCR])
    caseworker.is_staff = True
    caseworker.save()
    client.force_login(caseworker)
    ncr, vii = homes

    listing = client.get("/admin/registry/household/")

    assert listing.status_code == 200
    assert ncr.household_number.encode() in listing.content
    assert vii.household_number.encode() not in listing.content
    assert client.get(f"/admin/registry/household/{vii.id}/change/").status_code == 302  # "not found", back to list
    assert all(str(vii.id) not in record.object_ids for record in AuditRecord.objects.filter(action="read"))


def test_regional_staff_see_only_their_regions_assessments_and_payments_in_the_admin(client, homes):
    supervisor = staff("supervisor", [NCR])
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)

    for page in ("/admin/eligibility/assessment/", "/admin/payment/payment/"):
        listing = client.get(page)
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == 1
