from django.db import transaction
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from dsrs.access import ContextPermission, caller_of
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as drf_serializers

from dsrs.api import DefaultPagination, error_schema, paginated
from dsrs.audit.models import AuditRecord
from dsrs.audit.services import audit_record_create

from .. import selectors, services
from ..models import PERSONAL_FIELDS, SENSITIVE_FIELDS

HOUSEHOLD = "registry.household"
from .serializers import (
    HouseholdFilterSerializer,
    HouseholdInputSerializer,
    HouseholdLookupSerializer,
    HouseholdOutputSerializer,
)


def _unmasked(request) -> set[str]:
    """The sensitive fields this caller's role needs in full."""
    caller = caller_of(request)
    if "registry.view_unmasked_personal_data" in caller.permissions:
        return set(SENSITIVE_FIELDS)
    return {"payout_account"} if "registry.view_unmasked_payout_account" in caller.permissions else set()


def _out(request, households, *, many=False):
    return HouseholdOutputSerializer(households, many=many, context={"unmasked": _unmasked(request)}).data


def _check_region(request, region_code: str) -> None:
    if not caller_of(request).sees_region(region_code):
        raise exceptions.PermissionDenied(f"Region {region_code} is not one of your regions.")


class HouseholdApi(APIView):
    permission_classes = [ContextPermission]
    access_context, access_model = "registry", "household"


ERRORS = {400: error_schema(), 401: error_schema(), 403: error_schema()}


class HouseholdListCreateApi(HouseholdApi):
    @extend_schema(
        operation_id="households_list", summary="List households (in your regions)",
        parameters=[HouseholdFilterSerializer, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: paginated(HouseholdOutputSerializer, "HouseholdPage"), **ERRORS},
    )
    def get(self, request):
        filters = HouseholdFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        households = selectors.household_list(regions=caller_of(request).regions, **filters.validated_data)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(households, request, view=self)
        audit_record_create(request=request, action=AuditRecord.Action.LIST, object_type=HOUSEHOLD,
                            object_ids=[h.id for h in page], fields=PERSONAL_FIELDS)
        return paginator.get_paginated_response(_out(request, page, many=True))

    @extend_schema(operation_id="households_create", summary="Register a household",
                   request=HouseholdInputSerializer, responses={201: HouseholdOutputSerializer, **ERRORS})
    def post(self, request):
        serializer = HouseholdInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("status", None)
        reason = data.pop("change_reason", "registered through the API")
        _check_region(request, data["region_code"])
        with transaction.atomic():
            household = services.household_register(**data, reason=reason)
            audit_record_create(request=request, action=AuditRecord.Action.CREATE, object_type=HOUSEHOLD,
                                object_ids=[household.id], fields=data)
        return Response(_out(request, household), status=status.HTTP_201_CREATED)


class HouseholdDetailApi(HouseholdApi):
    def _get(self, household_id):
        household = selectors.household_get(household_id=household_id, regions=caller_of(self.request).regions)
        if household is None:
            raise Http404(f"No household with id {household_id}.")
        return household

    @extend_schema(operation_id="households_retrieve", summary="One household",
                   responses={200: HouseholdOutputSerializer, 404: error_schema(), **ERRORS})
    def get(self, request, household_id):
        household = self._get(household_id)
        audit_record_create(request=request, action=AuditRecord.Action.READ, object_type=HOUSEHOLD,
                            object_ids=[household.id], fields=PERSONAL_FIELDS)
        return Response(_out(request, household))

    @extend_schema(operation_id="households_replace", summary="Replace a household's updatable fields",
                   request=HouseholdInputSerializer, responses={200: HouseholdOutputSerializer, 404: error_schema(),
                                                                **ERRORS})
    def put(self, request, household_id):
        return self._update(request, household_id, partial=False)

    @extend_schema(operation_id="households_update", summary="Change some of a household's fields",
                   request=HouseholdInputSerializer, responses={200: HouseholdOutputSerializer, 404: error_schema(),
                                                                **ERRORS})
    def patch(self, request, household_id):
        return self._update(request, household_id, partial=True)

    def _update(self, request, household_id, *, partial):
        household = self._get(household_id)
        serializer = HouseholdInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        if "region_code" in serializer.validated_data:
            _check_region(request, serializer.validated_data["region_code"])
        changes = dict(serializer.validated_data)
        reason = changes.pop("change_reason", "")
        with transaction.atomic():
            before = household.version
            household = services.household_update(household=household, reason=reason, **changes)
            if household.version != before:
                audit_record_create(request=request, action=AuditRecord.Action.UPDATE, object_type=HOUSEHOLD,
                                    object_ids=[household.id], fields=changes)
        return Response(_out(request, household))


class HouseholdLookupApi(HouseholdApi):
    """Exact lookup by a sensitive number: POST, so the number never travels in a URL."""

    access_is_read = True  # a POST that only reads

    @extend_schema(
        operation_id="households_lookup", summary="Find households by one exact sensitive number",
        request=HouseholdLookupSerializer,
        responses={200: inline_serializer(name="HouseholdLookupResult", fields={
            "count": drf_serializers.IntegerField(), "results": HouseholdOutputSerializer(many=True)}), **ERRORS},
    )
    def post(self, request):
        serializer = HouseholdLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        (field, value), = serializer.validated_data.items()
        households = list(selectors.households_with_number(field=field, value=value,
                                                           regions=caller_of(request).regions)[:50])
        audit_record_create(request=request, action=AuditRecord.Action.LIST, object_type=HOUSEHOLD,
                            object_ids=[h.id for h in households], fields=PERSONAL_FIELDS,
                            reason=f"lookup by {field}")
        return Response({"count": len(households), "results": _out(request, households, many=True)})
