"""Conventions every app's REST API shares: one error shape and one pagination style. (The one body parser is
in dsrs/parsers.py, the OpenAPI description of errors and links in dsrs/schema.py.)

Every error answers `{"error": {"status", "code", "message", "fields"?}}`, whatever raised it: a serializer,
a service's rules, DRF, simplejwt, an unknown URL under /api/, a body too large or too deep.
"""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.views import defaults
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dsrs.personal_data import REQUEST_SECRET_FIELDS

from dsrs.api_responses import API_PREFIX, error_response  # noqa: F401 (the error shape outside DRF)
REDACTED = "[redacted]"


# --- Pagination -----------------------------------------------------------------------------------------------


class _CheckedPageSize:
    """A `page_size` that is not a whole number from 1 to `max_page_size` is a bad parameter (400 naming
    it, with the messages DRF's IntegerField gives), where DRF would quietly answer its default page."""

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        try:
            return serializers.IntegerField(min_value=1, max_value=self.max_page_size).run_validation(raw)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({self.page_size_query_param: exc.detail}) from None


class DefaultPagination(_CheckedPageSize, pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        """A page number that is not a page is a bad parameter (400 naming `page`), not a missing resource."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise exceptions.ValidationError({self.page_query_param: [
                "Not a page of this list: give a whole number from 1 to the last page."]}) from None


class CursorPagination(_CheckedPageSize, pagination.CursorPagination):
    """DRF's cursor pagination, with a cursor the API never gave out answered as a bad parameter (400
    naming `cursor`), not a missing resource (DRF's 404)."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise self.invalid_cursor() from None

    def invalid_cursor(self):
        return serializers.ValidationError({self.cursor_query_param: [
            "Not a cursor this API gave out: follow `next` or `previous` as they are."]})


def list_answer(view, request, *, filters, paginator, rows, output):
    """A list endpoint's answer: the query string checked by the `filters` serializer, the caller's rows
    (`rows(regions=..., **filters)`, a selector), one page of them from `paginator`, each in `output`."""
    from dsrs.access import caller_of

    checked = filters(data=request.query_params)
    checked.is_valid(raise_exception=True)
    page = paginator.paginate_queryset(rows(regions=caller_of(request).regions, **checked.validated_data), request,
                                       view=view)
    return paginator.get_paginated_response(output(page, many=True).data)


def page_parameters() -> list:
    """The OpenAPI description of DefaultPagination's query parameters."""
    from drf_spectacular.utils import OpenApiParameter

    return [OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="1 for the first page"),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": DefaultPagination.max_page_size},
                             description="items per page")]


def paginated(serializer_class, name: str):
    """The OpenAPI shape of a page of `serializer_class` items, as DefaultPagination answers it."""
    from drf_spectacular.utils import inline_serializer

    return inline_serializer(name=name, fields={
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializer_class(many=True),
    })


# --- Errors ---------------------------------------------------------------------------------------------------


def exception_handler(exc, context):
    """Every error answers `{"error": {"status", "code", "message", "fields"?}}`.

    Validation errors list each offending field with its messages, so a partner agency's developer
    can fix the request without guessing. No message repeats a personal number or secret the request sent.
    """
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = _error_body(exc, response.status_code)
    request = context.get("request")
    if request is not None:
        body = _redacted(body, _secrets_sent(request))
    return Response({"error": body}, status=response.status_code, headers=dict(response.items()))


def _as_api_exception(exc):
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or "Not found.")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, ValidationError):  # a service's rules, keyed by field path like `members[1].sex`
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, exceptions.UnsupportedMediaType):  # DRF's message repeats the Content-Type header
        return exceptions.UnsupportedMediaType(exc.detail, "Send the body as application/json.")
    return exc


def _error_body(exc, status_code: int) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields = field_paths(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        return {
            "status": status_code,
            "code": "invalid",
            "message": "The request has invalid fields: " + ", ".join(sorted(str(k) for k in fields)) + ".",
            "fields": fields,
        }
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(detail, dict):  # simplejwt's {"detail": ..., "code": ..., "messages": [...]}
        detail = detail.get("detail") or next(iter(detail.values()), "")
    if isinstance(detail, list):
        detail = " ".join(str(item) for item in detail)
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    return {"status": status_code, "code": code, "message": str(detail)}


def _secrets_sent(request) -> set[str]:
    """The values the request sent for a personal number or a secret (at any depth of its body)."""
    try:
        data = request.data
    except Exception:  # the body itself is what failed; nothing of it was read into data
        return set()
    found, stack = set(), [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in REQUEST_SECRET_FIELDS and isinstance(item, (str, int)) and len(str(item)) >= 4:
                    found.add(str(item))
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _redacted(value, secrets: set[str]):
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {_redacted(k, secrets): _redacted(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(item, secrets) for item in value]
    return value


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


def not_found(request, exception=None):
    """Django's 404 handler: an unknown URL under /api/ (a non-UUID id, a trailing slash) answers the error
    shape; other paths keep Django's page."""
    if request.path.startswith(API_PREFIX):
        return error_response(404, code="not_found",
                              message="No such URL in the API; GET /api/v1/ lists its resources.")
    return defaults.page_not_found(request, exception)


# --- The OpenAPI description ----------------------------------------------------------------------------------


@functools.cache
def error_schema():
    """The OpenAPI shape of every error answer."""
    from drf_spectacular.utils import inline_serializer

    return inline_serializer(name="Error", fields={"error": inline_serializer(name="ErrorBody", fields={
        "status": serializers.IntegerField(),
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False),
    })})
