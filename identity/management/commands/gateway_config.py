import yaml
from django.conf import settings
from django.core.management.base import BaseCommand
from drf_spectacular.generators import SchemaGenerator

from dsrs.observability import CORRELATION_HEADER
from identity.gateway import kong_config


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the PEM key, the Lua check) as readable literal blocks."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


class Command(BaseCommand):
    help = ("Print Kong's DB-less declarative configuration for this DSRS: a route for every path of the "
            "OpenAPI schema, the JWT plugin trusting this process's JWT public key (the one "
            "/.well-known/jwks.json publishes), rate limiting, CORS, size limits, correlation id.")

    def add_arguments(self, parser):
        parser.add_argument("--upstream", default="http://dsrs-web:80", help="where Kong sends the requests")
        parser.add_argument("--output", default="-", help="file to write (default: standard output)")
        parser.add_argument("--requests-per-minute", type=int, default=1200, help="per client IP, per Kong node")
        parser.add_argument("--max-payload-megabytes", type=int, default=10)

    def handle(self, *args, upstream, output, requests_per_minute, max_payload_megabytes, **options):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        jwt = settings.SIMPLE_JWT
        config = kong_config(
            schema=schema, public_key_pem=settings.JWT_PUBLIC_KEY, issuer=jwt["ISSUER"], audience=jwt["AUDIENCE"],
            upstream=upstream, cors_origins=list(settings.CSRF_TRUSTED_ORIGINS),
            max_token_seconds=int(jwt["ACCESS_TOKEN_LIFETIME"].total_seconds()),
            requests_per_minute=requests_per_minute, max_payload_megabytes=max_payload_megabytes,
            correlation_header=CORRELATION_HEADER)
        text = yaml.dump(config, Dumper=_Dumper, sort_keys=False, width=120)
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            with open(output, "w") as file:
                file.write(text)
