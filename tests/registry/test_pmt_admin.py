from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from dsrs import celery_app
from dsrs.events.models import OutboxEvent
from registry.models import Household, PmtModel
from registry.tasks import rescore_households
from tests.factories import HouseholdFactory
from tests.registry.admin_pages import form_data, staff_client

pytestmark = pytest.mark.django_db

REGION = "0300000000"
CHANGELIST = "/admin/registry/pmtmodel/"


@pytest.fixture(autouse=True)
def _local_transport(local_transport):
    return local_transport


@pytest.fixture
def eager_celery(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def copy_to_draft(client, model: PmtModel) -> PmtModel:
    client.post(CHANGELIST, {"action": "copy_to_draft", "_selected_action": [model.pk]})
    return PmtModel.objects.get(status=PmtModel.Status.DRAFT)


def weight_row(data: dict, indicator: str, option: str) -> str:
    """The form prefix of the inline row of a weight, e.g. 'weights-12'."""
    (prefix,) = [key.removesuffix("-indicator") for key, value in data.items() if key.endswith("-indicator")
                 and (value, data[key.replace("indicator", "option")]) == (indicator, option)]
    return prefix


def test_a_supervisor_edits_a_draft_and_activating_it_rescores_the_households(eager_celery,
                                                                              django_capture_on_commit_callbacks):
    client, supervisor = staff_client("supervisor", regions=[REGION])
    mixed_roof, strong_roof = HouseholdFactory(region_code=REGION), HouseholdFactory(region_code=REGION, well_off=True)
    draft = copy_to_draft(client, PmtModel.objects.get(version=1))
    url = f"{CHANGELIST}{draft.pk}/change/"
    data = form_data(client.get(url))
    data[f"{weight_row(data, 'roof_material', 'mixed')}-weight"] = "0.1000"
    data["description"] = "mixed roofs weigh more"
    assert client.post(url, data).status_code == 302

    with django_capture_on_commit_callbacks(execute=True) as scheduled:
        response = client.post(CHANGELIST, {"action": "activate", "_selected_action": [draft.pk]}, follow=True)

    assert len(scheduled) == 1
    draft.refresh_from_db()
    assert (draft.status, draft.activated_by, draft.description) == ("active", supervisor, "mixed roofs weigh more")
    assert PmtModel.objects.get(version=1).status == "retired"
    mixed_roof.refresh_from_db()
    strong_roof.refresh_from_db()
    assert (mixed_roof.pmt_score, mixed_roof.pmt_model_version, mixed_roof.version) == (Decimal("0.4900"), 2, 2)
    assert (strong_roof.pmt_score, strong_roof.pmt_model_version) == (Decimal("0.9700"), 2)
    assert OutboxEvent.objects.filter(event_type="registry.household.updated", key=str(mixed_roof.pk)).count() == 1
    assert mixed_roof.history.latest("history_date").history_change_reason == "PMT model activated: rescored"
    assert "PMT model v2 is active" in str(list(response.context["messages"])[-1])


def test_a_weight_for_an_option_the_scoring_does_not_know_is_refused(local_transport):
    client, _ = staff_client("supervisor", regions=[REGION])
    draft = copy_to_draft(client, PmtModel.objects.get(version=1))
    url = f"{CHANGELIST}{draft.pk}/change/"
    data = form_data(client.get(url))
    data[f"{weight_row(data, 'roof_material', 'mixed')}-option"] = "thatch"

    page = client.post(url, data)

    assert page.status_code == 200
    errors = [form.errors for form in page.context["inline_admin_formsets"][0].formset.forms if form.errors]
    assert errors == [{"option": ["'thatch' is not an option of roof_material; the options are strong, light, "
                                  "salvaged, mixed."]}]
    assert draft.weights.filter(option="thatch").count() == 0


def test_a_caseworker_can_neither_copy_nor_activate_a_model():
    client, _ = staff_client("caseworker", regions=[REGION])
    supervisor, _ = staff_client("supervisor", regions=[REGION])
    draft = copy_to_draft(supervisor, PmtModel.objects.get(version=1))

    client.post(CHANGELIST, {"action": "activate", "_selected_action": [draft.pk]})
    client.post(CHANGELIST, {"action": "copy_to_draft", "_selected_action": [draft.pk]})

    assert list(PmtModel.objects.values_list("version", "status")) == [(2, "draft"), (1, "active")]


def test_an_active_model_and_its_weights_cannot_be_edited():
    client, _ = staff_client("supervisor", regions=[REGION])
    active = PmtModel.objects.get(version=1)
    url = f"{CHANGELIST}{active.pk}/change/"
    page = client.get(url)
    data = form_data(page)
    data["intercept"] = "0.9"

    refused = client.post(url, data)

    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert refused.status_code == 403
    assert PmtModel.objects.get(pk=active.pk).intercept == Decimal("0.4500")


def test_the_list_shows_each_models_number_of_weights():
    client, _ = staff_client("supervisor", regions=[REGION])

    page = client.get(CHANGELIST)

    (model,) = page.context["cl"].result_list
    assert model.weight_total == PmtModel.objects.get(version=1).weights.count() > 0


def test_the_rescore_task_and_command_correct_stale_scores():
    stale, other = HouseholdFactory(region_code=REGION), HouseholdFactory(region_code=REGION)
    Household.objects.filter(pk__in=[stale.pk, other.pk]).update(pmt_score=Decimal("0.99"))
    out = open("/dev/null", "w")

    call_command("rescore_households", "--household", str(stale.pk), stdout=out)
    assert Household.objects.get(pk=other.pk).pmt_score == Decimal("0.9900")
    assert Household.objects.get(pk=stale.pk).pmt_score == Decimal("0.4100")

    assert rescore_households() == 1
    assert Household.objects.get(pk=other.pk).pmt_score == Decimal("0.4100")


def test_the_command_reports_its_progress_and_refuses_unknown_households(capsys):
    HouseholdFactory(region_code=REGION)

    call_command("rescore_households")
    with pytest.raises(CommandError, match="is not a household id"):
        call_command("rescore_households", "--household", "HH-1")
    with pytest.raises(CommandError, match="No household with id 00000000-0000-0000-0000-000000000001"):
        call_command("rescore_households", "--household", "00000000-0000-0000-0000-000000000001")

    assert capsys.readouterr().out.splitlines() == ["rescored 1/1 households", "done: 0 scores changed"]
