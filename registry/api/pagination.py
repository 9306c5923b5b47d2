"""Cursor pagination for households: pages stay stable while households are added or changed, and
a page costs the same however deep it is (no count, no offset).

DRF's CursorPagination positions on the ordering field alone and steps over equal values with an
offset it caps at 1000; thousands of households share a PMT score, so the position here is the
pair (ordering value, id), which is unique.
"""

import json

from django.db.models import Q
from rest_framework import pagination

from dsrs.api import CursorPagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class HouseholdCursorPagination(CursorPagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    def __init__(self, *, ordering: str):
        self.field = ordering.lstrip("-")
        self.descending = ordering.startswith("-")
        self.ordering = (ordering, "-id" if self.descending else "id")

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.base_url = request, request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.cursor = self.decode_cursor(request)
        backwards = bool(self.cursor and self.cursor.reverse)
        position = self._position_of_cursor()
        ordering = pagination._reverse_ordering(self.ordering) if backwards else self.ordering
        queryset = queryset.order_by(*ordering)
        if position is not None:
            queryset = queryset.filter(self._beyond(position, backwards=backwards))
        results = list(queryset[:self.page_size + 1])
        self.page = results[:self.page_size]
        more = len(results) > self.page_size
        if backwards:
            self.page.reverse()
        self.has_next, self.has_previous = (position is not None, more) if backwards else (more, position is not None)
        if self.page:
            self.previous_position = self._get_position_from_instance(self.page[0], self.ordering)
            self.next_position = self._get_position_from_instance(self.page[-1], self.ordering)
        else:  # an empty page (its households changed since): go on from where the cursor stood
            self.previous_position = self.next_position = self.cursor.position if self.cursor else None
        self.display_page_controls = self.has_next or self.has_previous
        return self.page

    def _beyond(self, position, *, backwards: bool) -> Q:
        value, pk = position
        later = "lt" if self.descending != backwards else "gt"
        return Q(**{f"{self.field}__{later}": value}) | Q(**{self.field: value, f"id__{later}": pk})

    def _get_position_from_instance(self, instance, ordering):
        return json.dumps([str(getattr(instance, self.field)), str(instance.pk)])

    def _position_of_cursor(self):
        if self.cursor is None or self.cursor.position is None:
            return None
        try:
            value, pk = json.loads(self.cursor.position)
            return str(value), str(pk)
        except (TypeError, ValueError):
            raise self.invalid_cursor() from None

    def get_next_link(self):
        if not self.has_next:
            return None
        return self.encode_cursor(pagination.Cursor(offset=0, reverse=False, position=self.next_position))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        return self.encode_cursor(pagination.Cursor(offset=0, reverse=True, position=self.previous_position))
