"""The Kong configuration that `manage.py gateway_config` prints routes exactly the paths of the
OpenAPI schema DSRS serves and trusts exactly the key DSRS publishes. Kong cannot run here, so its
route matching is reproduced: a regex route matches from the path's start (PCRE; Python's `re` reads
these patterns the same)."""
import io
import re

import jwt
import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from dsrs.signing_keys import jwk_of
from identity.gateway import METHODS
from tests.conftest import user_with_role

UNROUTED = ["/admin/", "/admin/login/", "/metrics", "/healthz/ready", "/healthz/live", "/api/v1/schema",
            "/api/v1/docs", "/static/admin/css/base.css", "/api/v1/households/1/extra",
            "/api/v1/households/", "/api/v1/householdsx", "/x/api/v1/households"]


@pytest.fixture
def config():
    out = io.StringIO()
    call_command("gateway_config", stdout=out)
    return yaml.safe_load(out.getvalue())


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/v1/schema", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _routes(config):
    (service,) = config["services"]
    return service["routes"]


def _matching(config, path, method):
    return [r for r in _routes(config) if method in r["methods"]
            and any(re.match(p.removeprefix("~"), path) for p in r["paths"])]


def _example(path):
    return re.sub(r"\{[^/]+\}", "0b4f6a1e-7c2d-4e8a-9b1c-3d5e7f9a1b2c", path)


def _operations(schema):
    return {(path, m.upper()): op for path, item in schema["paths"].items() for m, op in item.items() if m in METHODS}


def test_every_api_operation_has_exactly_one_route(config, schema):
    operations = _operations(schema)
    assert len(operations) >= 10
    for path, method in operations:
        assert len(_matching(config, _example(path), method)) == 1, (path, method)
    routed = {(r["paths"][0], m) for r in _routes(config) for m in r["methods"] if m != "OPTIONS"}
    assert len(routed) == len(operations)


@pytest.mark.parametrize("path", UNROUTED)
def test_nothing_but_the_api_is_routed_not_the_admin_metrics_or_health(config, path):
    assert [r["name"] for m in ("GET", "POST") for r in _matching(config, path, m)] == []


def test_a_token_is_required_exactly_where_the_schema_requires_one(config, schema):
    for (path, method), operation in _operations(schema).items():
        (route,) = _matching(config, _example(path), method)
        plugins = {p["name"]: p["config"] for p in route.get("plugins", [])}
        public = operation.get("security") is None or {} in operation["security"]
        assert ("jwt" not in plugins) == public, (path, method)
        if not public:
            assert plugins["jwt"]["claims_to_verify"] == ["exp"]
            assert plugins["jwt"]["uri_param_names"] == [] and plugins["jwt"]["cookie_names"] == []
            assert 'local audience = "dsrs-api"' in plugins["post-function"]["access"][0]
    public_paths = {p for (p, m), op in _operations(schema).items() if op.get("security") is None or {} in op["security"]}
    assert public_paths == {"/.well-known/jwks.json", "/api/v1/", "/api/v1/auth/token", "/api/v1/auth/token/refresh"}


def test_the_gateway_trusts_exactly_the_key_dsrs_publishes(config, db):
    published = APIClient().get("/.well-known/jwks.json").json()["keys"]
    (consumer,) = config["consumers"]
    (secret,) = consumer["jwt_secrets"]
    assert published == [jwk_of(secret["rsa_public_key"])]
    assert secret["algorithm"] == "RS256"

    user = user_with_role("admin")
    user.set_password("a long enough pass phrase")
    user.save()
    token = APIClient().post("/api/v1/auth/token", {"username": user.username, "password": "a long enough pass phrase"},
                             format="json").json()["access"]
    claims = jwt.decode(token, secret["rsa_public_key"], algorithms=["RS256"], audience="dsrs-api")
    assert claims["iss"] == secret["key"]  # Kong finds the key by the token's iss (key_claim_name)
    (route,) = _matching(config, "/api/v1/households", "GET")
    jwt_config = next(p["config"] for p in route["plugins"] if p["name"] == "jwt")
    assert jwt_config["key_claim_name"] == "iss" and jwt_config["maximum_expiration"] >= claims["exp"] - claims["iat"]


def test_rate_limits_cors_size_limit_and_correlation_id_apply_to_every_route(config, settings):
    plugins = {p["name"]: p["config"] for p in config["plugins"]}
    assert set(plugins) == {"correlation-id", "rate-limiting", "request-size-limiting", "cors"}
    assert plugins["correlation-id"]["header_name"] == "X-Correlation-ID"
    assert plugins["cors"]["origins"] == settings.CSRF_TRUSTED_ORIGINS
    assert all(r["protocols"] == ["https"] for r in _routes(config))
