"""The per-request savings of issue 12's third round change nothing: timestamptz values read by psycopg's C
loader (dsrs.prepared.FastTzLoader) are the datetimes Django's loader makes, and the short cut of content
negotiation (dsrs.negotiation) picks the renderer and media type DRF's negotiation picks."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from dsrs.negotiation import ContentNegotiation
from dsrs.prepared import FastTzLoader

TIMESTAMPS = ["2026-12-02 19:31:27.123456+00", "2026-01-01 00:00:00+00", "1999-12-31 23:59:59.5+00",
              "2026-06-30 23:59:59.999999+08", "1970-01-01 00:00:00+00", "2400-02-29 12:00:00-11"]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Asia/Manila"])
def test_timestamptz_values_load_as_django_loads_them(zone):
    assert connection.vendor == "postgresql", "psycopg's loaders are PostgreSQL's; run with `make test`"
    connection.ensure_connection()
    adapters = connection.connection.adapters
    oid = adapters.types["timestamptz"].oid
    from psycopg.pq import Format

    registered = adapters.get_loader(oid, Format.TEXT)
    assert issubclass(registered, FastTzLoader) and registered.timezone == connection.timezone
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE %s", [zone])
        try:
            cursor.execute("SELECT " + ", ".join(["%s::timestamptz"] * len(TIMESTAMPS)), TIMESTAMPS)
            loaded = cursor.fetchone()
        finally:
            cursor.execute("SET TIME ZONE %s", [connection.timezone_name])

        class Django(BaseTzLoader):
            timezone = connection.timezone

        cursor.execute("SET TIME ZONE %s", [zone])
        try:
            django_loader = Django(oid, cursor.cursor)
            expected = tuple(django_loader.load(value.encode()) for value in TIMESTAMPS)
        finally:
            cursor.execute("SET TIME ZONE %s", [connection.timezone_name])
    assert loaded == expected
    assert all(value.tzinfo is datetime.timezone.utc for value in loaded)
    assert [value.isoformat() for value in loaded] == [value.isoformat() for value in expected]


class _View(APIView):
    pass


@pytest.mark.parametrize("renderers", [[JSONRenderer()], [JSONRenderer(), BrowsableAPIRenderer()]],
                         ids=["production", "development"])
@pytest.mark.parametrize("path, headers, suffix", [
    ("/api/v1/households", {}, None),
    ("/api/v1/households", {"HTTP_ACCEPT": "*/*"}, None),
    ("/api/v1/households", {"HTTP_ACCEPT": "application/json"}, None),
    ("/api/v1/households", {"HTTP_ACCEPT": "application/json; indent=4"}, None),
    ("/api/v1/households", {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}, None),
    ("/api/v1/households", {"HTTP_ACCEPT": "*/*; q=0.5"}, None),
    ("/api/v1/households?format=json", {}, None),
    ("/api/v1/households?format=", {}, None),
    ("/api/v1/households", {}, "json"),
])
def test_negotiation_picks_what_drf_picks(renderers, path, headers, suffix):
    request = _View().initialize_request(APIRequestFactory().get(path, **headers))
    assert ContentNegotiation().select_renderer(request, renderers, suffix) == (
        DefaultContentNegotiation().select_renderer(request, renderers, suffix))


def test_negotiation_still_refuses_what_no_renderer_gives():
    from rest_framework.exceptions import NotAcceptable

    request = _View().initialize_request(APIRequestFactory().get("/api/v1/households", HTTP_ACCEPT="text/csv"))
    with pytest.raises(NotAcceptable):
        ContentNegotiation().select_renderer(request, [JSONRenderer()])
