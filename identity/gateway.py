"""The Kong gateway's DB-less declarative configuration, made from the API's own OpenAPI schema and
the public key DSRS publishes at /.well-known/jwks.json, so that it routes exactly the API's paths and
trusts exactly DSRS's key (deploy/README.md, "Edge gateway").

Kong's community JWT plugin checks the RS256 signature against the consumer whose key is the token's
`iss`, and `exp`; it has no audience check, so a post-function on the same routes refuses a token
whose `aud` is not DSRS's. Service-side JWT stays the authority: every view checks the token again.
"""
import json
import re

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETER = re.compile(r"\{[^/{}]+\}")

AUDIENCE_CHECK = """local audience = %s
return function()
  local token = kong.ctx.shared.authenticated_jwt_token
  if not token then return end
  local jwt = require("kong.plugins.jwt.jwt_parser"):new(token)
  local aud = jwt and jwt.claims.aud
  if type(aud) == "table" then
    for _, value in ipairs(aud) do if value == audience then return end end
  elseif aud == audience then
    return
  end
  return kong.response.exit(401, { message = "Unauthorized" })
end
"""


def path_regex(path: str) -> str:
    """The Kong regex route (`~` prefix) of one OpenAPI path: literal text, one segment per parameter."""
    parts = PARAMETER.split(path)
    return "~" + "[^/]+".join(re.escape(part).replace("\\/", "/") for part in parts) + "$"


def is_public(operation: dict) -> bool:
    security = operation.get("security")
    return security is None or {} in security


def kong_config(*, schema: dict, public_key_pem: str, issuer: str, audience: str, upstream: str,
                cors_origins: list[str], max_token_seconds: int, requests_per_minute: int,
                max_payload_megabytes: int, correlation_header: str) -> dict:
    routes = []
    for path, item in sorted(schema["paths"].items()):
        preflight = ["OPTIONS"]  # CORS preflight, answered by the cors plugin on the path's first route
        for public in (True, False):
            methods = sorted(m.upper() for m, op in item.items() if m in METHODS and is_public(op) == public)
            if not methods:
                continue
            route = {
                "name": f"{'public' if public else 'token'}-{re.sub(r'[^a-z0-9]+', '-', path.lower()).strip('-')}",
                "paths": [path_regex(path)],
                "methods": methods + [m for m in preflight if m not in methods],
                "strip_path": False,
                "preserve_host": True,
                "protocols": ["https"],
                "https_redirect_status_code": 308,
            }
            preflight = []
            if not public:
                route["plugins"] = [
                    {"name": "jwt", "config": {
                        "key_claim_name": "iss",
                        "claims_to_verify": ["exp"],
                        "maximum_expiration": max_token_seconds,
                        "header_names": ["authorization"],
                        "uri_param_names": [],
                        "cookie_names": [],
                        "run_on_preflight": False,
                    }},
                    {"name": "post-function", "config": {"access": [AUDIENCE_CHECK % json.dumps(audience)]}},
                ]
            routes.append(route)
    return {
        "_format_version": "3.0",
        "_transform": True,
        "services": [{
            "name": "dsrs-api",
            "url": upstream,
            "connect_timeout": 5000,
            "read_timeout": 35000,
            "write_timeout": 35000,
            "routes": routes,
        }],
        "consumers": [{
            "username": "dsrs-token-issuer",
            "jwt_secrets": [{"key": issuer, "algorithm": "RS256", "rsa_public_key": public_key_pem}],
        }],
        "plugins": [
            {"name": "correlation-id", "config": {"header_name": correlation_header, "generator": "uuid",
                                                  "echo_downstream": True}},
            {"name": "rate-limiting", "config": {"minute": requests_per_minute, "policy": "local",
                                                 "limit_by": "ip", "fault_tolerant": True}},
            {"name": "request-size-limiting", "config": {"allowed_payload_size": max_payload_megabytes,
                                                         "size_unit": "megabytes",
                                                         "require_content_length": False}},
            {"name": "cors", "config": {
                "origins": cors_origins,
                "methods": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                "headers": ["Authorization", "Content-Type", correlation_header],
                "exposed_headers": [correlation_header],
                "credentials": False,
                "max_age": 600,
            }},
        ],
    }
