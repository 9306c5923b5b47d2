import pytest
from rest_framework.test import APIClient

from registry.models import Household
from tests.conftest import user_with_role
from tests.factories import HouseholdPayloadFactory

pytestmark = pytest.mark.django_db


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_history_keeps_who_changed_what_when_and_why(local_transport):
    registrar, editor = user_with_role("admin"), user_with_role("admin")
    household_id = as_user(registrar).post("/api/v1/households", HouseholdPayloadFactory(household_size=3),
                                           format="json").json()["id"]

    as_user(editor).patch(f"/api/v1/households/{household_id}",
                          {"household_size": 5, "change_reason": "two children born"}, format="json")

    created, updated = Household.history.filter(id=household_id).order_by("history_date")
    assert (created.history_type, created.history_user, created.household_size) == ("+", registrar, 3)
    assert (updated.history_type, updated.history_user, updated.household_size) == ("~", editor, 5)
    assert updated.history_change_reason == "two children born"
    assert [c.field for c in updated.diff_against(created).changes] == ["household_size"]
    assert (created.version, updated.version) == (1, 2)


def test_bulk_registrations_are_in_the_history_too(local_transport):
    from registry import services

    services.households_register_many(households=[HouseholdPayloadFactory() for _ in range(3)], reason="import x.csv")

    assert Household.history.filter(history_change_reason="import x.csv").count() == 3


def test_the_admin_shows_a_households_history(client, local_transport):
    admin = user_with_role("admin")
    admin.is_staff = True
    admin.save()
    household_id = as_user(admin).post("/api/v1/households", HouseholdPayloadFactory(), format="json").json()["id"]
    client.force_login(admin)

    page = client.get(f"/admin/registry/household/{household_id}/history/")

    assert page.status_code == 200 and b"registered through the API" in page.content
