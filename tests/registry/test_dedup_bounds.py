"""The duplicate check's work stays bounded (issue 12, item 4): per match cluster, per block, and
placeholder birth dates do not put a barangay's members into one block."""

import pytest

from registry import dedup, services
from registry.models import DuplicateCandidate, Member
from tests.factories import HouseholdPayloadFactory, MemberPayloadFactory, as_registration

pytestmark = pytest.mark.django_db

VII = "0700000000"


def register(region_code=VII, **fields):
    household, members = as_registration(HouseholdPayloadFactory(region_code=region_code, **fields))
    return services.household_register(household=household, members=members)


def people(*names, born="1980-02-14"):
    return [MemberPayloadFactory(given_name=given, family_name=family, birth_date=born, **({"child": True} if i else {}))
            for i, (given, family) in enumerate(names)]


@pytest.fixture
def comparisons(monkeypatch):
    counted = []
    real = dedup.name_similarity
    monkeypatch.setattr(dedup, "name_similarity", lambda a, b: counted.append((a, b)) or real(a, b))
    return counted


def test_300_identical_registrations_create_one_review_row_per_member_and_repeat():
    household, members = as_registration(HouseholdPayloadFactory(region_code=VII, members=[
        MemberPayloadFactory(given_name="Rosa", family_name="Dela Cruz", birth_date="1986-04-12"),
        MemberPayloadFactory(given_name="Ben", family_name="Dela Cruz", birth_date="2016-08-03", child=True)]))
    for _ in range(300):
        services.household_register(household=dict(household), members=[dict(m) for m in members])

    # The bound: (registrations - 1) x members, every copy flagged against the first; it was 89,700.
    assert DuplicateCandidate.objects.count() == 299 * 2
    first = Member.objects.order_by("created_at", "id").filter(given_name="Rosa").first()
    assert DuplicateCandidate.objects.filter(member__given_name="Rosa").exclude(matches=first).count() == 0


def test_a_member_adds_at_most_the_configured_review_rows(settings):
    settings.REGISTRY_DUPLICATE_MAX_FLAGS = 2
    for _ in range(3):
        register(members=people(("Maria Luz", "Santos")))
    DuplicateCandidate.objects.all().delete()  # three earlier records, none flagged: three clusters

    later = register(members=people(("Maria Luz", "Santos")))

    assert DuplicateCandidate.objects.filter(member__household=later).count() == 2


def test_placeholder_birth_dates_do_not_make_one_block_of_a_barangay(comparisons):
    families = ["Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Flores", "Villanueva", "Ramos"]
    for family in families:
        register(members=people(("Juan", family), born="1970-01-01"))
    comparisons.clear()

    register(members=people(("Juana", "Santos"), born="1970-01-01"))

    assert comparisons == []  # no earlier Santos (or San...) born in 1970: nothing to compare
    assert not DuplicateCandidate.objects.exists()


def test_a_probable_duplicate_with_a_placeholder_birth_date_is_still_flagged():
    register(members=people(("Maria Luz", "Dela Cruz"), born="1970-01-01"))
    register(members=people(("Ma. Luz", "dela Cruz"), born="1970-01-01"))

    assert DuplicateCandidate.objects.count() == 1


def test_a_block_is_compared_with_at_most_the_configured_earlier_members(settings, comparisons):
    settings.REGISTRY_DUPLICATE_MAX_CANDIDATES = 5
    for given in ["Ana", "Luz", "Rosa", "Liza", "Elena", "Cristina", "Rowena", "Jocelyn", "Maricel", "Princess"]:
        register(members=people((given, "Santos")))
    comparisons.clear()

    register(members=people(("Kimberly", "Santos")))

    assert len(comparisons) == 5


def test_a_household_that_moves_takes_its_members_to_the_new_barangay_block():
    earlier = register(members=people(("Maria Luz", "Dela Cruz")))
    elsewhere = register(region_code="0800000000", members=people(("Ma. Luz", "dela Cruz")))
    assert not DuplicateCandidate.objects.exists()

    moved = services.household_update(household=elsewhere, changes={
        "region_code": earlier.region_code, "province_code": earlier.province_code,
        "municipality_code": earlier.municipality_code, "barangay_code": earlier.barangay_code}, reason="moved")

    assert {m.match_key for m in moved.members.all()} == {m.match_key for m in earlier.members.all()}
    assert DuplicateCandidate.objects.filter(member__household=elsewhere).count() == 1
