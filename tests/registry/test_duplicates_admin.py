import pytest

from registry.models import DuplicateCandidate, Household
from tests.factories import HouseholdFactory, MemberPayloadFactory
from tests.registry.admin_pages import staff_client

pytestmark = pytest.mark.django_db

REGION = "0300000000"
QUEUE = "/admin/registry/duplicatecandidate/"


@pytest.fixture
def flag(local_transport) -> DuplicateCandidate:
    """Maria Santos registered twice, in two households of the same barangay, with the same birth date."""
    def maria():
        return [MemberPayloadFactory(given_name="Maria", family_name="Santos", birth_date="1980-03-15")]

    HouseholdFactory(region_code=REGION, members=maria())
    HouseholdFactory(region_code=REGION, members=maria())
    return DuplicateCandidate.objects.select_related("member__household", "matches__household").get()


def queued(page) -> list[DuplicateCandidate]:
    assert page.status_code == 200
    return list(page.context["cl"].result_list)


def test_the_queue_lists_pending_flags_with_links_to_both_households(flag):
    client, _ = staff_client("supervisor", regions=[REGION])

    page = client.get(QUEUE)

    assert queued(page) == [flag]
    content = page.content.decode()
    for household in (flag.member.household, flag.matches.household):
        assert f'href="/admin/registry/household/{household.pk}/change/"' in content


def test_confirming_deactivates_the_later_household_naming_the_earlier_one(flag):
    client, supervisor = staff_client("supervisor", regions=[REGION])
    later, earlier = flag.member.household, flag.matches.household

    client.post(QUEUE, {"action": "confirm", "_selected_action": [flag.pk], "note": "same person, moved"})

    flag.refresh_from_db()
    later.refresh_from_db()
    assert (flag.status, flag.reviewed_by, flag.review_note) == ("confirmed", supervisor, "same person, moved")
    assert later.status == "inactive" and earlier.household_number in later.status_reason
    assert Household.objects.get(pk=earlier.pk).status == "active"
    assert queued(client.get(QUEUE)) == []
    assert queued(client.get(QUEUE, {"status": "confirmed"})) == [flag]


def test_dismissing_changes_nothing_but_the_flag(flag):
    client, _ = staff_client("supervisor", regions=[REGION])
    versions = dict(Household.objects.values_list("pk", "version"))

    client.post(QUEUE, {"action": "dismiss", "_selected_action": [flag.pk]})

    assert DuplicateCandidate.objects.get().status == "dismissed"
    assert dict(Household.objects.values_list("pk", "version")) == versions
    assert set(Household.objects.values_list("status", flat=True)) == {"active"}


def test_a_caseworker_sees_the_queue_but_cannot_decide(flag):
    client, _ = staff_client("caseworker", regions=[REGION])

    page = client.get(QUEUE)
    client.post(QUEUE, {"action": "confirm", "_selected_action": [flag.pk]})

    assert queued(page) == [flag]
    assert DuplicateCandidate.objects.get().status == "pending"
    assert set(Household.objects.values_list("status", flat=True)) == {"active"}


def test_a_supervisor_of_another_region_neither_sees_nor_decides_the_flag(flag):
    client, _ = staff_client("supervisor", regions=["0700000000"])

    page = client.get(QUEUE)
    detail = client.get(f"{QUEUE}{flag.pk}/change/")
    client.post(QUEUE, {"action": "confirm", "_selected_action": [flag.pk]})

    assert queued(page) == []
    assert detail.status_code == 302  # the admin's "does not exist" redirect
    assert DuplicateCandidate.objects.get().status == "pending"


def test_the_detail_is_read_only(flag):
    client, _ = staff_client("supervisor", regions=[REGION])

    page = client.get(f"{QUEUE}{flag.pk}/change/")
    changed = client.post(f"{QUEUE}{flag.pk}/change/", {"status": "dismissed"})

    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert changed.status_code == 403
    assert DuplicateCandidate.objects.get().status == "pending"
