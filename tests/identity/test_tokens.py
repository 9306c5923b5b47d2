from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough pass phrase"


@pytest.fixture
def user():
    user = get_user_model().objects.create_user(username="partner-ncr", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="admin")[0])
    user.user_permissions.add(Permission.objects.get(codename="view_household"))
    return user


def obtain(username="partner-ncr", password=PASSWORD):
    return APIClient().post("/api/v1/auth/token", {"username": username, "password": password}, format="json")


def households_with(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get("/api/v1/households")


def forged(**overrides) -> dict:
    now = timezone.now()
    return {"token_type": "access", "user_id": "1", "jti": "x", "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp()), "iss": "dsrs", "aud": "dsrs-api"} | overrides


def test_tokens_are_rs256_with_issuer_and_audience_and_verify_against_the_published_jwks(user):
    access = obtain().json()["access"]
    jwks = APIClient().get("/.well-known/jwks.json").json()

    (key,) = jwks["keys"]
    header = jwt.get_unverified_header(access)
    assert header["alg"] == "RS256" and key["alg"] == "RS256" and key["kty"] == "RSA"
    public_key = jwt.PyJWK(key).key
    claims = jwt.decode(access, public_key, algorithms=["RS256"], audience="dsrs-api", issuer="dsrs")
    assert claims["user_id"] == str(user.id)
    assert "d" not in key  # the private exponent is never published
    assert households_with(access).status_code == 200


@pytest.mark.parametrize("claims, why", [
    (dict(exp=int((timezone.now() - timedelta(minutes=1)).timestamp())), "expired"),
    (dict(aud="another-api"), "wrong audience"),
    (dict(iss="someone-else"), "wrong issuer"),
])
def test_tokens_that_are_expired_or_for_someone_else_are_refused(user, claims, why):
    token = jwt.encode(forged(user_id=str(user.id)) | claims, settings.JWT_PRIVATE_KEY, algorithm="RS256")

    response = households_with(token)

    assert response.status_code == 401, why
    assert response.json()["error"]["code"] == "token_not_valid"


def test_an_unsigned_alg_none_token_is_refused(user):
    token = jwt.encode(forged(user_id=str(user.id)), key=None, algorithm="none")

    assert households_with(token).status_code == 401


def test_a_token_signed_with_the_public_key_as_an_hmac_secret_is_refused(user):
    header = jwt.utils.base64url_encode(b'{"alg":"HS256","typ":"JWT"}').decode()
    import hashlib
    import hmac
    import json

    body = jwt.utils.base64url_encode(json.dumps(forged(user_id=str(user.id))).encode()).decode()
    signature = hmac.new(settings.JWT_PUBLIC_KEY.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    token = f"{header}.{body}.{jwt.utils.base64url_encode(signature).decode()}"

    assert households_with(token).status_code == 401


def test_a_refresh_token_rotates_and_cannot_be_used_twice(user):
    first = obtain().json()["refresh"]

    rotated = APIClient().post("/api/v1/auth/token/refresh", {"refresh": first}, format="json")
    replayed = APIClient().post("/api/v1/auth/token/refresh", {"refresh": first}, format="json")

    assert rotated.status_code == 200 and rotated.json()["refresh"] != first
    assert replayed.status_code == 401


def test_a_wrong_password_gets_a_401_without_saying_which_part_was_wrong(user):
    response = obtain(password="not it")

    assert response.status_code == 401
    assert "password" not in response.json()["error"]["message"].lower()
