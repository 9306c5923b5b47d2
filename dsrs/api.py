"""Conventions every app's REST API shares: one error shape and one pagination style."""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DefaultPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Every error answers `{"error": {"status", "code", "message", "fields"?}}`.

    Validation errors list each offending field with its messages, so a partner agency's developer
    can fix the request without guessing.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ValidationError):  # a service's rules, keyed by field path like `members[1].sex`
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = field_paths(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        body = {
            "status": response.status_code,
            "code": "invalid",
            "message": "The request has invalid fields: " + ", ".join(sorted(str(k) for k in fields)) + ".",
            "fields": fields,
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"status": response.status_code, "code": code, "message": str(detail)}
    return Response({"error": body}, status=response.status_code, headers=dict(response.items()))


def field_paths(detail, path: str = "") -> dict[str, list]:
    """Nested errors as one flat map from field path to messages, the way services name fields:
    `{"members": [{}, {"sex": [...]}]}` becomes `{"members[1].sex": [...]}`."""
    if isinstance(detail, dict):
        paths = {}
        for key, value in detail.items():
            if isinstance(key, int):
                name = f"{path}[{key}]"
            elif key == "non_field_errors" and path:
                name = path
            else:
                name = f"{path}.{key}" if path else str(key)
            paths.update(field_paths(value, name))
        return paths
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        paths = {}
        for index, item in enumerate(detail):
            paths.update(field_paths(item, f"{path}[{index}]"))
        return paths
    messages = detail if isinstance(detail, list) else [detail]
    return {path or "non_field_errors": messages} if messages else {}


def paginated(serializer_class, name: str):
    """The OpenAPI shape of a page of `serializer_class` items, as DefaultPagination answers it."""
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    return inline_serializer(name=name, fields={
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializer_class(many=True),
    })


@functools.cache
def error_schema():
    """The OpenAPI shape of every error answer."""
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    return inline_serializer(name="Error", fields={"error": inline_serializer(name="ErrorBody", fields={
        "status": serializers.IntegerField(),
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False),
    })})
