import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from identity.models import PartnerClient, StaffProfile
from tests.registry.admin_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser(username="root", password="a long enough phrase"))
    return client


def token(client_id, secret):
    return APIClient().post("/api/v1/auth/token", {"username": client_id, "password": secret}, format="json")


def shown_secret(response) -> str:
    (message,) = [str(m) for m in response.context["messages"] if "secret" in str(m)]
    return message.split("secret ", 1)[1].split(" ", 1)[0]


def test_an_admin_creates_a_client_sees_its_secret_once_and_the_client_gets_tokens(admin_client):
    response = admin_client.post("/admin/identity/partnerclient/add/", {
        "name": "DOH Region VII", "scopes": ["registry:read"], "region_codes": "0700000000"}, follow=True)

    client = PartnerClient.objects.get()
    secret = shown_secret(response)
    assert (client.scopes, client.region_codes) == (["registry:read"], ["0700000000"])
    assert client.account.password.startswith("argon2") and secret not in client.account.password
    assert token(client.client_id, secret).status_code == 200
    assert secret.encode() not in admin_client.get(f"/admin/identity/partnerclient/{client.pk}/change/").content


def test_bad_region_codes_are_refused_in_the_form(admin_client):
    response = admin_client.post("/admin/identity/partnerclient/add/", {
        "name": "DOH", "scopes": ["registry:read"], "region_codes": "NCR"})

    assert response.status_code == 200 and b"Not PSGC region codes: NCR" in response.content
    assert not PartnerClient.objects.exists()


def test_the_admin_rotates_and_revokes_credentials(admin_client):
    admin_client.post("/admin/identity/partnerclient/add/", {
        "name": "DOH", "scopes": ["registry:read"], "region_codes": "1300000000"}, follow=True)
    client = PartnerClient.objects.get()

    rotated = admin_client.post("/admin/identity/partnerclient/", {
        "action": "rotate_secret", "_selected_action": [client.pk]}, follow=True)
    new_secret = shown_secret(rotated)
    access = token(client.client_id, new_secret).json()["access"]
    admin_client.post("/admin/identity/partnerclient/", {"action": "revoke", "_selected_action": [client.pk]})

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.get("/api/v1/households").status_code == 401  # the token issued before revocation, refused
    assert token(client.client_id, new_secret).status_code == 401
    client.refresh_from_db()
    assert client.revoked_at is not None and client.secret_rotated_at is not None


def test_credential_changes_are_in_the_audit_trail(admin_client):
    from dsrs.audit.models import AuditRecord

    admin_client.post("/admin/identity/partnerclient/add/", {
        "name": "DOH", "scopes": ["registry:read"], "region_codes": "1300000000"}, follow=True)
    client = PartnerClient.objects.get()
    for action in ("rotate_secret", "revoke"):
        admin_client.post("/admin/identity/partnerclient/", {"action": action, "_selected_action": [client.pk]})

    trail = list(AuditRecord.objects.filter(object_type="identity.partnerclient").order_by("id")
                 .values_list("action", "reason"))
    assert trail == [("create", "created"), ("update", "secret rotated"), ("update", "revoked")]


def test_a_client_is_edited_with_its_regions_shown_as_typed_and_saved_unchanged(admin_client):
    admin_client.post("/admin/identity/partnerclient/add/", {
        "name": "DOH", "scopes": ["registry:read"], "region_codes": "0600000000, 0700000000"}, follow=True)
    client = PartnerClient.objects.get()
    change = f"/admin/identity/partnerclient/{client.pk}/change/"

    page = admin_client.get(change)
    saved = admin_client.post(change, form_data(page))

    assert page.context["adminform"].form["region_codes"].value() == "0600000000, 0700000000"
    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors
    client.refresh_from_db()
    assert (client.scopes, client.region_codes) == (["registry:read"], ["0600000000", "0700000000"])


def test_a_staff_members_regions_are_edited_the_same_way(admin_client):
    user = get_user_model().objects.create_user(username="caseworker-1", password="a long enough pass phrase")
    profile = StaffProfile.objects.create(user=user, region_codes=["0300000000"])
    change = f"/admin/identity/staffprofile/{profile.pk}/change/"

    page = admin_client.get(change)
    data = form_data(page)
    data["region_codes"] = "0300000000,1300000000"
    saved = admin_client.post(change, data)

    assert page.context["adminform"].form["region_codes"].value() == "0300000000"
    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors
    profile.refresh_from_db()
    assert profile.region_codes == ["0300000000", "1300000000"]


def test_the_list_shows_scopes_and_regions_as_text(admin_client):
    admin_client.post("/admin/identity/partnerclient/add/", {
        "name": "DOH", "scopes": ["registry:read", "payment:read"], "region_codes": "0600000000"}, follow=True)

    page = admin_client.get("/admin/identity/partnerclient/").content.decode()

    assert "registry:read, payment:read" in page and "0600000000" in page and "[&#x27;" not in page
