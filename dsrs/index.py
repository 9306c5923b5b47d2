"""GET /api/v1/: the API's root answers what it offers, built from the version's URL patterns."""

from django.conf import settings
from django.urls import URLPattern, URLResolver, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dsrs.query_parameters import QueryParameters


class _NoParameters(QueryParameters):
    paging = ()


def _routes_without_parameters(patterns, prefix: str = ""):
    """Every named route without path parameters in `patterns` (included ones too), as (name, route)."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if "<" in route:
            continue
        if isinstance(entry, URLResolver):
            yield from _routes_without_parameters(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and entry.name and route:
            yield entry.name, route


class ApiIndex(APIView):
    """GET /api/v1/: what the API offers, so that a client can start from its root (`patterns`: the version's
    URL patterns, given in urls.py)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    patterns: list = []

    @extend_schema(operation_id="api_index", summary="What this version of the API offers",
                   responses={200: inline_serializer(name="ApiIndex", fields={
                       "name": serializers.CharField(), "version": serializers.CharField(),
                       "schema": serializers.CharField(), "docs": serializers.CharField(),
                       "resources": serializers.DictField(child=serializers.CharField(),
                                                          help_text="path of each resource, by name")})})
    def get(self, request):
        _NoParameters(data=request.query_params).is_valid(raise_exception=True)
        root = request.path
        return Response({
            "name": settings.SPECTACULAR_SETTINGS["TITLE"],
            "version": settings.SPECTACULAR_SETTINGS["VERSION"],
            "schema": reverse("openapi-schema"),
            "docs": reverse("openapi-docs"),
            "resources": dict(sorted((name, root + route) for name, route in _routes_without_parameters(self.patterns))),
        })
