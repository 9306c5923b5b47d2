import pytest
from rest_framework.test import APIClient

from registry.models import Household, Member
from tests.conftest import user_with_role
from tests.factories import HouseholdPayloadFactory, MemberPayloadFactory, as_registration

pytestmark = pytest.mark.django_db


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_history_keeps_who_changed_what_when_and_why(local_transport):
    registrar, editor = user_with_role("admin"), user_with_role("admin")
    household = as_user(registrar).post("/api/v1/households", HouseholdPayloadFactory(), format="json").json()
    head = {k: v for k, v in household["members"][0].items() if k in {"id", *MemberPayloadFactory()}}

    response = as_user(editor).patch(f"/api/v1/households/{household['id']}", {
        "members": [head, MemberPayloadFactory(child=True), MemberPayloadFactory(child=True)],
        "change_reason": "two children born"}, format="json")

    assert response.status_code == 200, response.content
    created, updated = Household.history.filter(id=household["id"]).order_by("history_date")
    assert (created.history_type, created.history_user, created.household_size) == ("+", registrar, 2)
    assert (updated.history_type, updated.history_user, updated.household_size) == ("~", editor, 3)
    assert updated.history_change_reason == "two children born"
    assert updated.diff_against(created).changes == []  # no typed answer changed: only what members derive
    assert (updated.pmt_score, updated.per_capita_income) != (created.pmt_score, created.per_capita_income)
    assert (created.version, updated.version) == (1, 2)


def test_members_have_a_history_with_the_author_too(local_transport):
    registrar, editor = user_with_role("admin"), user_with_role("admin")
    household = as_user(registrar).post("/api/v1/households", HouseholdPayloadFactory(), format="json").json()
    head = {k: v for k, v in household["members"][0].items() if k in {"id", *MemberPayloadFactory()}}

    as_user(editor).patch(f"/api/v1/households/{household['id']}",
                          {"members": [{**head, "occupation": "teacher"}], "change_reason": "child moved out"},
                          format="json")

    rows = Member.history.filter(household_id=household["id"])
    assert {(r.history_type, r.history_user) for r in rows.filter(history_type="+")} == {("+", registrar)}
    assert rows.filter(history_type="+").count() == 2
    changed = rows.get(history_type="~")
    removed = rows.get(history_type="-")
    assert (str(changed.id), changed.occupation, changed.history_user) == (head["id"], "teacher", editor)
    assert (removed.history_user, removed.history_change_reason) == (editor, "child moved out")


def test_bulk_registrations_are_in_the_history_too(local_transport):
    from registry import services

    entries = [dict(zip(("household", "members"), as_registration(HouseholdPayloadFactory()))) for _ in range(3)]

    services.households_register_many(entries=entries, reason="import x.csv")

    assert Household.history.filter(history_change_reason="import x.csv").count() == 3
    assert Member.history.filter(history_change_reason="import x.csv").count() == 6


def test_the_admin_shows_a_households_history(client, local_transport):
    admin = user_with_role("admin")
    admin.is_staff = True
    admin.save()
    household_id = as_user(admin).post("/api/v1/households", HouseholdPayloadFactory(), format="json").json()["id"]
    client.force_login(admin)

    page = client.get(f"/admin/registry/household/{household_id}/history/")

    assert page.status_code == 200 and b"registered through the API" in page.content
