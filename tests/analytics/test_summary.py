"""The live figures by province, city or municipality and barangay, fed by the saga's events."""

from dataclasses import asdict
from datetime import date

import pytest
from django.db import transaction

from analytics.handlers import on_events as analytics_consumes
from analytics.selectors import summary_get
from dsrs.events import Event, publish
from dsrs.events.models import OutboxEvent
from eligibility.handlers import on_households_changed as eligibility_consumes
from payment.handlers import on_events as payment_consumes
from payment.models import Entitlement
from payment.money import pesos
from payment.runs import cycle_run
from registry.geography import areas, locate
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

CENTRAL_VISAYAS, BOHOL, CEBU = "0700000000", "0701200000", "0702200000"
ALBURQUERQUE, ALICIA, CEBU_ALCANTARA = "0701201000", "0701202000", "0702201000"  # the first two are in Bohol
ASSESSED = ("eligibility.assessment.approved", "eligibility.assessment.denied")
PAID = tuple(f"payment.payment.{state}" for state in ("pending", "approved", "sent", "paid"))
LEGACY_PAID = ("payment.payment.scheduled", "payment.payment.completed")  # the stand-in's, still in old logs


def place_in(municipality_code: str) -> dict:
    """The four PSGC codes of the municipality's first barangay."""
    barangay = min(code for code, area in areas().items() if area.parent == municipality_code)
    return asdict(locate(barangay))


def events_of(*event_types: str) -> list[Event]:
    rows = OutboxEvent.objects.filter(event_type__in=event_types).order_by("id")
    return [Event.from_dict(row.envelope) for row in rows]


def run_the_saga() -> None:
    """Each consumer group applies what the one before it published; the payments are paid out on the way."""
    eligibility_consumes(events_of("registry.household.registered", "registry.household.updated"))
    payment_consumes(events_of("registry.household.registered", "eligibility.enrolment.enrolled"))
    cycle_run(program_code="4PS", on=date(2026, 12, 1), preparer="user:1:a", approver="user:2:b")
    analytics_consumes(events_of(*ASSESSED, *PAID))


def figures(**filters) -> tuple[int, int, int, int, int]:
    summary = summary_get(**filters)
    return summary.assessed, summary.approved, summary.denied, summary.payments_scheduled, summary.payments_completed


@pytest.fixture
def central_visayas(settings, tmp_path):
    """Two poor households in Alburquerque (one well off beside them) and Alicia, Bohol; one poor in Cebu."""
    for municipality, traits in ((ALBURQUERQUE, {"poor": True}), (ALBURQUERQUE, {"well_off": True}),
                                 (ALICIA, {"poor": True}), (CEBU_ALCANTARA, {"poor": True})):
        HouseholdFactory(**place_in(municipality), **traits)
    settings.PAYMENT_FILES_DIR = tmp_path
    settings.ANALYTICS_MONGODB_URI = ""  # the SQL store; the kafka-marked saga tests run the MongoDB one
    run_the_saga()


def test_the_figures_narrow_to_a_province_a_municipality_and_a_barangay(central_visayas):
    assert figures(region_code=CENTRAL_VISAYAS) == (4, 3, 1, 3, 3)
    assert figures(province_code=BOHOL) == (3, 2, 1, 2, 2)
    assert figures(province_code=CEBU) == (1, 1, 0, 1, 1)
    assert figures(municipality_code=ALBURQUERQUE) == (2, 1, 1, 1, 1)
    assert figures(municipality_code=ALICIA) == (1, 1, 0, 1, 1)
    assert figures(barangay_code=place_in(ALICIA)["barangay_code"]) == (1, 1, 0, 1, 1)
    assert figures(province_code=CEBU, municipality_code=ALICIA) == (0, 0, 0, 0, 0)  # filters combine


def test_replaying_every_event_leaves_the_figures_by_place_unchanged(central_visayas):
    before = [figures(province_code=BOHOL), figures(municipality_code=ALBURQUERQUE)]

    analytics_consumes(events_of(*ASSESSED, *PAID))
    analytics_consumes(events_of(*ASSESSED, *PAID))

    assert [figures(province_code=BOHOL), figures(municipality_code=ALBURQUERQUE)] == before


LEGACY_FIGURES = ("households_assessed", "households_approved", "households_denied", "payments_scheduled",
                  "payments_completed", "amount_scheduled", "amount_completed")


def test_the_summary_api_filters_by_province_and_municipality(central_visayas, api_client):
    by_province = api_client.get("/api/v1/analytics/summary", {"province_code": BOHOL})
    by_municipality = api_client.get("/api/v1/analytics/summary", {"municipality_code": ALICIA, "program_code": "4PS"})

    assert by_province.status_code == by_municipality.status_code == 200
    bohol = pesos(sum(Entitlement.objects.filter(province_code=BOHOL).values_list("amount_centavos", flat=True)))
    assert {k: v for k, v in by_province.json().items() if k in LEGACY_FIGURES} == {
        "households_assessed": 3, "households_approved": 2, "households_denied": 1,
        "payments_scheduled": 2, "payments_completed": 2, "amount_scheduled": bohol, "amount_completed": bohol}
    assert by_municipality.json()["households_approved"] == 1


@pytest.mark.parametrize("field, value, message", [
    ("province_code", "07012", "A PSGC province code has 10 digits."),
    ("municipality_code", "07012010OO", "A PSGC city or municipality code has 10 digits."),
    ("barangay_code", "07012010011", "A PSGC barangay code has 10 digits."),
])
def test_a_place_filter_that_is_not_a_psgc_code_is_refused_naming_the_field(api_client, field, value, message):
    response = api_client.get("/api/v1/analytics/summary", {field: value})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}


HOUSEHOLD_ID = "7d0c8c1e-3f0e-4a43-9a57-3c2b8d1f0a11"
ASSESSMENT = {"assessment_id": "5b6f7a52-2a4e-4a55-8d0e-1b7c3f3b9e01", "household_id": HOUSEHOLD_ID,
              "household_version": 1, "program_code": "4PS", "decision": "approved", "reasons": [],
              "region_code": CENTRAL_VISAYAS, "pmt_score": 0.31, "monthly_income": "6500.00",
              "assessed_at": "2026-11-24T08:00:00+08:00"}
PAYMENT = {"payment_id": "0e2a3c4d-5b6f-4a7b-8c9d-0e1f2a3b4c5d", "household_id": HOUSEHOLD_ID, "program_code": "4PS",
           "cycle": "2026-11", "amount": "750.00", "currency": "PHP", "region_code": CENTRAL_VISAYAS,
           "completed_at": "2026-11-24T09:00:00+08:00"}


def published(event_type: str, *, contract: int, data: dict) -> Event:
    with transaction.atomic():
        return publish(event_type, subject=HOUSEHOLD_ID, version=contract, data=data)


def test_v1_events_left_in_a_log_count_in_their_region_only_until_a_v2_event_places_the_household(settings):
    settings.ANALYTICS_MONGODB_URI = ""

    analytics_consumes([published(ASSESSED[0], contract=1, data=ASSESSMENT),
                        published(LEGACY_PAID[1], contract=1, data=PAYMENT)])

    assert figures(region_code=CENTRAL_VISAYAS) == (1, 1, 0, 1, 1)
    assert figures(province_code=BOHOL) == (0, 0, 0, 0, 0)

    below_region = {level: code for level, code in place_in(ALICIA).items() if level != "region_code"}
    reassessed = published(ASSESSED[0], contract=2, data=ASSESSMENT | {"household_version": 2} | below_region)
    analytics_consumes([reassessed, published(ASSESSED[0], contract=1, data=ASSESSMENT)])  # the old one again

    assert figures(municipality_code=ALICIA) == (1, 1, 0, 0, 0)  # the v1 payment stays with its region
    assert figures(region_code=CENTRAL_VISAYAS) == (1, 1, 0, 1, 1)
