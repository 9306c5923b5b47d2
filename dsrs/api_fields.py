"""Strict JSON fields for the API's input serializers, every app's.

DRF's own fields coerce: a BooleanField takes "yes", "on", 1 or "0", a CharField takes a number (and
a region code sent as 1300000000 becomes "1300000000"; sent as 0700000000 it is not even valid JSON),
a UUIDField takes an integer. A client that sends the wrong type has a bug that coercion would hide,
so these take only their own JSON type and say which they expected.
"""

import uuid

from rest_framework import serializers

_JSON_TYPES = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
               dict: "an object", type(None): "null"}


class _OfJsonType:
    """Refuses, before the field's own parsing, a value of any type but `json_types`."""

    json_types: tuple[type, ...] = (str,)
    expected = "a string"

    def to_internal_value(self, data):
        if not isinstance(data, self.json_types):
            raise serializers.ValidationError(
                f"Must be {self.expected}, not {_JSON_TYPES.get(type(data), type(data).__name__)}.", code="invalid")
        return super().to_internal_value(data)


class StrictBooleanField(_OfJsonType, serializers.BooleanField):
    json_types, expected = (bool,), "true or false"


class StrictCharField(_OfJsonType, serializers.CharField):
    pass


class StrictChoiceField(_OfJsonType, serializers.ChoiceField):
    expected = "a string, one of the choices"


class StrictUUIDField(_OfJsonType, serializers.UUIDField):
    json_types, expected = (str, uuid.UUID), "a UUID, as a string"
