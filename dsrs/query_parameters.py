"""The query string of a GET endpoint: every parameter it takes is declared, any other is refused.

A parameter the endpoint ignores would answer as if it were not there (the whole list for
`?philsys_number=...`) and leave the value in every access log on the way: the caller learns of
the mistake only from a 400 that names it, never repeating its value.
"""

from rest_framework import serializers
from rest_framework.settings import api_settings

from dsrs.api import DefaultPagination

PAGE_PARAMETERS = (DefaultPagination.page_query_param, DefaultPagination.page_size_query_param)


class RefusingUnknownNames:
    """A serializer mixin that names every key of the data it does not take (`unknown_names`), with
    the other errors, instead of silently dropping it: a typo must not pass as success."""

    def unknown_names(self, data) -> dict[str, list[str]]:
        raise NotImplementedError

    def to_internal_value(self, data):
        unknown = self.unknown_names(data)
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as invalid:
            raise serializers.ValidationError({**invalid.detail, **unknown}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return values


class QueryParameters(RefusingUnknownNames, serializers.Serializer):
    """Base of every endpoint's query-string serializer: its fields, the paginator's parameters
    (`paging`) and DRF's `format` are known; any other name is refused with 400 naming it."""

    paging: tuple[str, ...] = PAGE_PARAMETERS

    def known_parameters(self) -> list[str]:
        return sorted({*self.fields, *self.paging, api_settings.URL_FORMAT_OVERRIDE} - {None})

    def unknown_names(self, data) -> dict[str, list[str]]:
        known = self.known_parameters()
        return {name: [f"Not a query parameter of this endpoint; it takes: {', '.join(known)}."]
                for name in data if name not in known}

    def to_internal_value(self, data):
        return {name: value for name, value in super().to_internal_value(data).items() if name not in self.paging}
