"""Personal numbers have one canonical ASCII spelling, whatever script their digits were typed in:
validated, indexed and stored so, and the rows stored before are re-indexed by migration 0005."""

import importlib

import pytest
from django.apps import apps

from dsrs.personal_data import blind_index
from registry.models import DuplicateCandidate, Household, Member
from tests.factories import HouseholdFactory, HouseholdPayloadFactory, MemberPayloadFactory

pytestmark = pytest.mark.django_db

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PHILSYS, PHONE = "123456789012", "09171234567"


def in_arabic_indic(number: str) -> str:
    return number.translate(ARABIC_INDIC)


def register(api_client, philsys_number, **fields):
    return api_client.post("/api/v1/households", HouseholdPayloadFactory(**fields, members=[
        MemberPayloadFactory(philsys_number=philsys_number), MemberPayloadFactory(child=True)]), format="json")


def test_a_registered_philsys_number_cannot_register_again_in_arabic_indic_digits(api_client):
    assert register(api_client, PHILSYS).status_code == 201

    again = register(api_client, in_arabic_indic(PHILSYS))

    assert again.status_code == 400
    assert list(again.json()["error"]["fields"]) == ["members[0].philsys_number"]
    assert Household.objects.count() == 1


def test_numbers_in_other_scripts_are_stored_and_found_in_ascii(api_client):
    created = register(api_client, "１２３４５６７８９０１２", phone_number=in_arabic_indic(PHONE))  # full-width PhilSys

    assert created.status_code == 201, created.content
    household = Household.objects.get()
    assert (household.phone_number, household.members.get(relationship="head").philsys_number) == (PHONE, PHILSYS)
    for number in ({"phone_number": PHONE}, {"philsys_number": PHILSYS},
                   {"philsys_number": in_arabic_indic(PHILSYS)}):
        assert api_client.post("/api/v1/households/lookup", number, format="json").json()["count"] == 1


def test_distinct_numbers_in_other_scripts_never_share_an_index():
    indexes = {blind_index(in_arabic_indic(n), purpose="philsys_number") for n in (PHILSYS, "987654321098")}

    assert len(indexes) == 2
    assert blind_index(in_arabic_indic(PHILSYS), purpose="philsys_number") == blind_index(PHILSYS,
                                                                                          purpose="philsys_number")


def test_other_characters_than_digits_are_still_refused(api_client):
    response = register(api_client, "12345678901٫")  # an Arabic decimal separator, not a digit

    assert response.status_code == 400
    assert "12345678901" not in response.content.decode()


def test_the_migration_rewrites_old_rows_in_ascii_and_queues_a_number_registered_twice():
    first = HouseholdFactory(members=[MemberPayloadFactory(philsys_number=PHILSYS)])
    second = HouseholdFactory(members=[MemberPayloadFactory(philsys_number="111111111111"),
                                       MemberPayloadFactory(child=True, philsys_number="222222222222")])
    head, child = second.members.get(relationship="head"), second.members.exclude(relationship="head").get()
    # What the registry stored before numbers were canonical: the digits as typed, indexed without them.
    Member.objects.filter(pk=head.pk).update(philsys_number=in_arabic_indic(PHILSYS), philsys_index="stale-1")
    Member.objects.filter(pk=child.pk).update(philsys_number=in_arabic_indic("333333333333"), philsys_index="stale-2")
    Household.objects.filter(pk=second.pk).update(phone_number=in_arabic_indic(PHONE), phone_index="stale-3")

    migration = importlib.import_module("registry.migrations.0005_canonical_personal_numbers")
    migration.reindex_households(apps, None)
    migration.reindex_members(apps, None)

    head.refresh_from_db(), child.refresh_from_db(), second.refresh_from_db()
    assert (child.philsys_number, child.philsys_index) == ("333333333333", blind_index("333333333333",
                                                                                     purpose="philsys_number"))
    assert (second.phone_number, second.phone_index) == (PHONE, blind_index(PHONE, purpose="phone_number"))
    assert (head.philsys_number, head.philsys_index) == (PHILSYS, "")  # the first registered keeps the index
    flag = DuplicateCandidate.objects.get()
    assert (flag.member, flag.matches) == (head, first.members.get())


def test_an_import_file_with_one_number_in_two_scripts_registers_it_once(tmp_path, local_transport):
    from tests.registry.test_import import error_report, import_file, rows_of, write_csv

    rows = rows_of("ASCII", members=[MemberPayloadFactory(given_name="First", philsys_number=PHILSYS)])
    rows += rows_of("ARABIC", members=[MemberPayloadFactory(given_name="Second",
                                                            philsys_number=in_arabic_indic(PHILSYS))])
    path = write_csv(tmp_path / "batch.csv", rows)

    summary = import_file(path)

    assert "households created: 1" in summary
    assert error_report(path)["ARABIC Second"].startswith("philsys_number: The same PhilSys number as line 2")


def test_re_encrypting_leaves_a_number_registered_twice_unindexed_on_the_later_member():
    from registry.services import households_reencrypt

    first = HouseholdFactory(members=[MemberPayloadFactory(philsys_number=PHILSYS)])
    second = HouseholdFactory(members=[MemberPayloadFactory(philsys_number="111111111111")])
    later = second.members.get()
    Member.objects.filter(pk=later.pk).update(philsys_number=in_arabic_indic(PHILSYS), philsys_index="stale")

    households_reencrypt(households=[first, second])

    later.refresh_from_db()
    assert (later.philsys_number, later.philsys_index) == (PHILSYS, "")
    assert first.members.get().philsys_index == blind_index(PHILSYS, purpose="philsys_number")
