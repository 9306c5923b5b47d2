"""The partners' read-only API: a household's eligibility per program, enrolments by cursor, region-scoped."""

import pytest
from rest_framework.test import APIClient

from django.contrib.auth import get_user_model

from identity.models import PartnerClient
from tests.eligibility.factories import CENTRAL_VISAYAS, NCR, HouseholdDataFactory, deliver

pytestmark = pytest.mark.django_db


def client_in(*regions) -> APIClient:
    """A partner agency's system allowed to read eligibility in `regions`."""
    user = get_user_model().objects.create_user(username=f"dswd-{'-'.join(regions)}", password="x" * 20)
    PartnerClient.objects.create(name="DSWD field office", account=user, scopes=["eligibility:read"],
                                 region_codes=list(regions))
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_household_answers_its_assessment_with_the_explanation_and_its_enrolment_per_program():
    household = HouseholdDataFactory(pmt_score=0.2)
    deliver(household)

    answer = client_in(CENTRAL_VISAYAS).get(f"/api/v1/eligibility/households/{household['household_id']}")

    assert answer.status_code == 200
    (four_ps,) = answer.json()["programs"]
    assert four_ps["program_code"] == "4PS" and four_ps["enrolment"]["status"] == "enrolled"
    assert [c["code"] for c in four_ps["assessment"]["explanation"]] == ["active", "pmt", "income"]
    assert "passed: criterion pmt" in four_ps["assessment"]["explanation_text"]


def test_a_household_outside_the_callers_regions_is_not_found_in_the_one_error_shape():
    household = HouseholdDataFactory()
    deliver(household)

    answer = client_in(NCR).get(f"/api/v1/eligibility/households/{household['household_id']}")

    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_enrolments_are_listed_by_program_region_and_status_with_a_cursor():
    deliver(*[HouseholdDataFactory(pmt_score=0.2) for _ in range(3)],
            HouseholdDataFactory(pmt_score=0.2, region_code=NCR, province_code=""))
    client = client_in(CENTRAL_VISAYAS)

    first = client.get("/api/v1/enrolments", {"program_code": "4PS", "status": "enrolled", "page_size": 2}).json()
    second = client.get(first["next"]).json()

    seen = [e["household_id"] for e in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) == 3 and second["next"] is None
    assert {e["region_code"] for e in first["results"] + second["results"]} == {CENTRAL_VISAYAS}
    bad = client.get("/api/v1/enrolments", {"status": "paid"})
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]
