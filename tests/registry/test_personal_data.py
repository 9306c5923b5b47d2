import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from dsrs.audit.models import AuditRecord
from dsrs.personal_data import blind_index
from identity import services as identity_services
from registry.models import MEMBER_SENSITIVE_FIELDS, SENSITIVE_FIELDS, Household, Member
from tests.conftest import user_with_role
from tests.factories import HouseholdPayloadFactory, MemberPayloadFactory

pytestmark = pytest.mark.django_db

PHILSYS = "123456789012"
NUMBERS = {"philsys_number": PHILSYS, "phone_number": "09998887766", "payout_account": "GCASH9988776655"}


def with_numbers(philsys_number=PHILSYS, **fields):
    """A household whose head has `philsys_number`, with the household's own numbers."""
    numbers = {k: v for k, v in NUMBERS.items() if k != "philsys_number"}
    return HouseholdPayloadFactory(**{**numbers, **fields}, members=[
        MemberPayloadFactory(philsys_number=philsys_number), MemberPayloadFactory(child=True)])


def shown(body: dict) -> dict:
    """The numbers as an answer shows them: the household's and its head's."""
    head = next(m for m in body["members"] if m["relationship"] == "head")
    return {**{f: body[f] for f in SENSITIVE_FIELDS}, "philsys_number": head["philsys_number"]}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def household_id(local_transport):
    response = client_for(user_with_role("admin")).post(
        "/api/v1/households", with_numbers(region_code="1300000000"), format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def clear_key_caches():
    fields = [Household._meta.get_field(n) for n in SENSITIVE_FIELDS] + [
        Member._meta.get_field(n) for n in MEMBER_SENSITIVE_FIELDS]
    for field in fields:
        field.__dict__.pop("keys", None)
        field.__dict__.pop("f", None)


def raw_rows(sql: str, household_id: str) -> list[tuple]:
    """Rows as the database holds them, read past the ORM and its decryption."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [household_id.replace("-", "") if connection.vendor == "sqlite" else household_id])
        return cursor.fetchall()


def test_the_database_holds_no_plaintext_only_ciphertext_and_blind_indexes(household_id):
    households = raw_rows("SELECT phone_number, payout_account, phone_index, payout_account_index "
                          "FROM registry_household WHERE id = %s", household_id)
    members = raw_rows("SELECT philsys_number, philsys_index FROM registry_member "
                       "WHERE household_id = %s AND philsys_index <> ''", household_id)
    history = raw_rows("SELECT phone_number, payout_account FROM registry_historicalhousehold WHERE id = %s",
                       household_id) + raw_rows("SELECT philsys_number FROM registry_historicalmember "
                                                "WHERE household_id = %s", household_id)

    assert len(households) == 1 and len(members) == 1 and len(history) == 3
    stored = " ".join(str(v) for row in households + members + history for v in row)
    for value in NUMBERS.values():
        assert value not in stored and value[-6:] not in stored
    assert members[0][1] == blind_index(PHILSYS, purpose="philsys_number")
    assert households[0][2] == blind_index(NUMBERS["phone_number"], purpose="phone_number")
    household = Household.objects.get(pk=household_id)
    head = household.members.get(relationship="head")
    assert {**{f: getattr(household, f) for f in SENSITIVE_FIELDS}, "philsys_number": head.philsys_number} == NUMBERS


@pytest.mark.parametrize("role, expected", [
    ("caseworker", NUMBERS),
    ("program officer", {"philsys_number": "********9012", "phone_number": "*******7766",
                         "payout_account": "***********6655"}),
    ("payment officer", {"philsys_number": "********9012", "phone_number": "*******7766",
                         "payout_account": "GCASH9988776655"}),
])
def test_numbers_are_masked_unless_the_role_needs_them(household_id, role, expected):
    user = user_with_role(role)
    if role == "caseworker":
        from identity.models import StaffProfile

        StaffProfile.objects.create(user=user, region_codes=["1300000000"])

    body = client_for(user).get(f"/api/v1/households/{household_id}").json()

    assert shown(body) == expected


def test_partner_clients_always_see_numbers_masked(household_id):
    client, _ = identity_services.partner_client_create(name="DOH", scopes=["registry:read"],
                                                        region_codes=["1300000000"])

    body = client_for(client.account).get(f"/api/v1/households/{household_id}").json()

    assert shown(body) == {"philsys_number": "********9012", "phone_number": "*******7766",
                           "payout_account": "***********6655"}


def test_answers_never_carry_the_blind_indexes(household_id):
    body = client_for(user_with_role("admin")).get(f"/api/v1/households/{household_id}").json()

    indexes = {"phone_index", "payout_account_index", "philsys_index"}
    assert not indexes & set(body) and not any(indexes & set(member) for member in body["members"])


def test_an_exact_number_is_looked_up_in_the_body_never_the_url(household_id):
    client = client_for(user_with_role("program officer"))

    found = client.post("/api/v1/households/lookup", {"philsys_number": PHILSYS}, format="json")
    none = client.post("/api/v1/households/lookup", {"phone_number": "09179999999"}, format="json")
    two = client.post("/api/v1/households/lookup", {"phone_number": "09998887766", "payout_account": "ABCDEF"},
                      format="json")

    assert found.status_code == 200 and [h["id"] for h in found.json()["results"]] == [household_id]
    assert none.json()["count"] == 0
    assert two.status_code == 400
    assert AuditRecord.objects.filter(reason="lookup by philsys_number").exists()


def test_no_number_reaches_the_logs_the_errors_or_the_audit_trail(local_transport, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    admin = client_for(user_with_role("admin"))

    created = admin.post("/api/v1/households", with_numbers(), format="json")
    refused = admin.post("/api/v1/households", with_numbers(philsys_number="98765432109",
                                                            phone_number="0917123456X"), format="json")
    taken = admin.post("/api/v1/households", with_numbers(), format="json")  # the same PhilSys number again
    admin.get(f"/api/v1/households/{created.json()['id']}")
    admin.post("/api/v1/households/lookup", {"phone_number": "09998887766"}, format="json")
    admin.post("/api/v1/households/lookup", {"phone_number": "09998887766", "payout_account": "GCASH9988776655"},
               format="json")

    assert refused.status_code == 400 and taken.status_code == 400
    everything = caplog.text + "".join(capsys.readouterr()) + refused.content.decode() + taken.content.decode() + str(
        list(AuditRecord.objects.values()))
    for value in [*NUMBERS.values(), "98765432109", "0917123456X"]:
        at = everything.find(value)
        assert at == -1, everything[max(at - 300, 0):at + 50]


def test_rotating_the_secret_key_keeps_old_data_readable_and_reencryption_moves_it_to_the_new_key(
        household_id, settings):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" * 3, [old_key]
    clear_key_caches()
    try:
        assert Household.objects.get(pk=household_id).payout_account == NUMBERS["payout_account"]

        call_command("reencrypt_personal_data", stdout=open("/dev/null", "w"))

        settings.SECRET_KEY_FALLBACKS = []  # the old key is retired
        clear_key_caches()
        assert Household.objects.get(pk=household_id).payout_account == NUMBERS["payout_account"]
        assert Member.objects.get(household_id=household_id, relationship="head").philsys_number == PHILSYS
    finally:
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old_key, []
        clear_key_caches()


def test_the_admin_list_shows_no_sensitive_number(household_id, client):
    client.force_login(get_user_model().objects.create_superuser(username="root", password="a long enough phrase"))

    listing = client.get("/admin/registry/household/")

    assert listing.status_code == 200
    for value in NUMBERS.values():
        assert value.encode() not in listing.content


def test_reencryption_refuses_numbers_no_key_can_read(household_id, settings):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" * 3, []  # the old key retired too soon
    clear_key_caches()
    try:
        with pytest.raises(CommandError, match="does not decrypt to a valid value"):
            call_command("reencrypt_personal_data", stdout=open("/dev/null", "w"))
    finally:
        settings.SECRET_KEY = old_key
        clear_key_caches()
    assert Household.objects.get(pk=household_id).payout_account == NUMBERS["payout_account"]


def test_a_phone_number_is_found_whichever_way_it_was_written(household_id):
    client = client_for(user_with_role("admin"))

    found = client.post("/api/v1/households/lookup", {"phone_number": "+639998887766"}, format="json")

    assert [h["id"] for h in found.json()["results"]] == [household_id]


def test_the_admin_form_leaves_the_numbers_out_for_whoever_may_not_see_them(household_id, client):
    officer = user_with_role("program officer")
    officer.is_staff = True
    officer.save()
    client.force_login(officer)

    page = client.get(f"/admin/registry/household/{household_id}/change/")

    assert page.status_code == 200
    for value in NUMBERS.values():
        assert value.encode() not in page.content


def test_a_partner_clients_reads_are_audited_under_its_client_name(household_id):
    client, _ = identity_services.partner_client_create(name="DOH", scopes=["registry:read"],
                                                        region_codes=["1300000000"])

    client_for(client.account).get(f"/api/v1/households/{household_id}")

    assert AuditRecord.objects.filter(actor=f"client:{client.client_id}", action="read").exists()
