"""The `Idempotency-Key` request header of the registry's writes (see `registry.idempotency`)."""

from __future__ import annotations

import re

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from dsrs.access import caller_of
from dsrs.api import error_schema

from .. import idempotency

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# 1 to 255 visible ASCII characters (a UUID is the usual choice); the draft's quoted form ("...") too.
_KEY = re.compile(r'^(?:"[!#-~]{1,255}"|[!-~]{1,255})$')
_DESCRIPTION = (
    "Makes the write safe to retry (IETF httpapi draft). A retry with the same key and the same request "
    "(method, path, body) within 24 hours answers the first answer again, with `Idempotent-Replayed: true`, "
    "and changes nothing, even if it arrives while the first is still running; the same key with another "
    "request answers 422. Keys are per caller: another caller's equal key is another key. 1 to 255 visible "
    "ASCII characters; a new UUID per write is the usual choice. Errors are not kept: a request that failed "
    "may be sent again with its key.")
PARAMETER = OpenApiParameter(HEADER, {"type": "string", "minLength": 1, "maxLength": 257, "pattern": _KEY.pattern},
                             location=OpenApiParameter.HEADER, required=False, description=_DESCRIPTION)
REUSED_RESPONSE = {422: OpenApiResponse(error_schema(), description="the Idempotency-Key was used with "
                                                                     "another request")}


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = ("This Idempotency-Key was used with another request (method, path or body); a retry must "
                      "send the same request, and a new request needs a new key.")


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.match(key):
        raise serializers.ValidationError({HEADER: ["Give 1 to 255 visible ASCII characters, e.g. a UUID."]})
    return key[1:-1] if key.startswith('"') else key


def idempotent(request, write) -> Response:
    """Answer `write()` (a Response), once per caller and Idempotency-Key: a retry gets the stored answer."""
    key = _key(request)
    if key is None:
        return write()
    fingerprint = idempotency.request_fingerprint(method=request.method, path=request.path, body=request.data)
    with transaction.atomic():
        try:
            record = idempotency.idempotency_key_claim(caller=caller_of(request).name, key=key,
                                                       fingerprint=fingerprint)
        except idempotency.KeyReused:
            raise KeyReused() from None
        if record.response_status is not None:
            return Response(idempotency.idempotency_key_answer(record), status=record.response_status,
                            headers={REPLAYED: "true"})
        response = write()
        idempotency.idempotency_key_store(record=record, status=response.status_code,
                                          body=JSONRenderer().render(response.data))
    response[REPLAYED] = "false"
    return response
