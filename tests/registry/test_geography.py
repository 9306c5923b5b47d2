"""PSGC codes are checked against the PSA's masterlist: a barangay must lie in the municipality,
province and region given with it."""

import pytest

from registry import geography, services
from registry.validation import HouseholdInvalid
from tests.factories import HouseholdPayloadFactory, as_registration, location_in

MANILA, MARIKINA = "1380600000", "1380700000"
ADAMS_BARANGAY, ADAMS, BACARRA, ILOCOS_NORTE = "0102801001", "0102801000", "0102802000", "0102800000"


def test_a_barangay_is_located_with_every_level_above_it():
    assert geography.locate(ADAMS_BARANGAY) == geography.Location(
        region_code="0100000000", province_code=ILOCOS_NORTE, municipality_code=ADAMS, barangay_code=ADAMS_BARANGAY)


def test_a_manila_barangay_has_no_province_and_manila_as_its_city():
    location = geography.locate("1380601001")  # in Tondo, a sub-municipality of the City of Manila
    assert (location.region_code, location.province_code, location.municipality_code) == ("1300000000", "", MANILA)


def test_a_barangay_of_another_municipality_is_named_in_the_error():
    errors = geography.location_errors(region_code="0100000000", province_code=ILOCOS_NORTE,
                                       municipality_code=BACARRA, barangay_code=ADAMS_BARANGAY)
    assert list(errors) == ["municipality_code"]
    assert "is in city or municipality 0102801000 (Adams), not 0102802000 (Bacarra)" in errors["municipality_code"]


def test_every_wrong_level_is_reported_and_an_unknown_code_is_not_a_barangay():
    errors = geography.location_errors(region_code="0700000000", province_code="0102900000",
                                       municipality_code=ADAMS, barangay_code=ADAMS_BARANGAY)
    assert set(errors) == {"province_code", "region_code"}
    assert "not a PSGC barangay code" in geography.location_errors(
        region_code="0100000000", province_code="", municipality_code=ADAMS, barangay_code="0102801999")["barangay_code"]
    assert "lies in no province" in geography.location_errors(
        region_code="1300000000", province_code="0102800000", municipality_code=MANILA,
        barangay_code="1380601001")["province_code"]


@pytest.mark.django_db
def test_registration_refuses_a_barangay_from_another_municipality():
    payload = HouseholdPayloadFactory(**location_in("1300000000"))
    payload["municipality_code"] = MARIKINA
    household, members = as_registration(payload)
    with pytest.raises(HouseholdInvalid) as refused:
        services.household_register(household=household, members=members)
    assert list(refused.value.message_dict) == ["municipality_code"]
    assert "City of Marikina" in refused.value.message_dict["municipality_code"][0]


def test_the_masterlist_is_complete():
    kinds = [area.kind for area in geography.areas().values()]
    assert kinds.count("region") == 18 and kinds.count("province") == 82 and kinds.count("barangay") > 42000
