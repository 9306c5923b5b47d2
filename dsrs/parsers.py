"""The one body the API reads: JSON, bounded in size and depth. Kept apart from dsrs.api because DRF imports
its parser classes while it builds APIView (this module must not import DRF's views)."""

import json

from django.conf import settings
from rest_framework import exceptions, parsers, status

# Deeper than any request the API takes (a household's members' fields are 3 levels down).
MAX_JSON_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """The one body the API reads: JSON, at most `API_MAX_BODY_BYTES` (413 beyond), at most MAX_JSON_DEPTH
    levels deep (400 beyond), without NaN or Infinity. Python's json recurses once per level, so a body
    nested a thousand levels deep would otherwise end in a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(f"The body is larger than {limit} bytes.")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(f"The body is larger than {limit} bytes.")
        try:
            text = raw.decode(parsers.get_encoding(parser_context or {}))
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.") from None
        except (ValueError, LookupError) as invalid:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise exceptions.ParseError(f"The body is not valid JSON: {_parse_problem(invalid)}") from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")
        return data


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _parse_problem(invalid: Exception) -> str:
    """Where the body broke, never a piece of it (it may hold a personal number)."""
    if isinstance(invalid, json.JSONDecodeError):
        return f"{invalid.msg} at line {invalid.lineno}, column {invalid.colno}."
    if isinstance(invalid, UnicodeDecodeError):
        return f"it is not {invalid.encoding} text (byte {invalid.start})."
    return str(invalid).split(":")[0] + "."


def json_depth(data) -> int:
    """How many arrays and objects deep `data` goes, without recursing (so any depth can be measured)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return deepest
