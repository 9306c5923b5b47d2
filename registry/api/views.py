from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, status
from rest_framework import serializers as drf_serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dsrs.access import ContextPermission, caller_of
from dsrs.api import error_schema
from dsrs.audit.models import AuditRecord
from dsrs.audit.services import audit_record_create

from .. import selectors, services
from ..models import MEMBER_SENSITIVE_FIELDS, PERSONAL_FIELDS, SENSITIVE_FIELDS
from .idempotency import PARAMETER as IDEMPOTENCY_KEY
from .idempotency import REUSED_RESPONSE, idempotent
from .pagination import HouseholdCursorPagination
from .serializers import (
    HOUSEHOLD_BLANKS,
    HouseholdChangesSerializer,
    HouseholdDeactivateSerializer,
    HouseholdFilterSerializer,
    HouseholdInputSerializer,
    HouseholdLookupSerializer,
    HouseholdOutputSerializer,
    update_body,
)

HOUSEHOLD = "registry.household"
ERRORS = {400: error_schema(), 401: error_schema(), 403: error_schema()}
WRITE_ERRORS = {**ERRORS, **REUSED_RESPONSE,
                503: OpenApiResponse(error_schema(), description="no PMT model is active to score with")}
HOUSEHOLD_EXAMPLE = OpenApiExample("A mother and her son in Cebu", request_only=True, value={
    "address": "Purok 3, Sitio Malinao", "region_code": "0700000000", "province_code": "0701200000",
    "municipality_code": "0701201000", "barangay_code": "0701201001", "roof_material": "light",
    "wall_material": "light", "tenure": "informal", "water_source": "shared_tap", "toilet_facility": "shared",
    "has_electricity": True, "assets": ["smartphone"],
    "members": [
        {"given_name": "Rosa", "family_name": "Dela Cruz", "sex": "female", "birth_date": "1986-04-12",
         "relationship": "head", "civil_status": "widowed", "occupation": "vendor", "monthly_income": "4000.00"},
        {"given_name": "Ben", "family_name": "Dela Cruz", "sex": "male", "birth_date": "2016-08-03",
         "relationship": "child", "civil_status": "single", "attending_school": True},
    ],
})
PAGE = inline_serializer(name="HouseholdPage", fields={
    "next": drf_serializers.URLField(allow_null=True, help_text="the following page, null on the last"),
    "previous": drf_serializers.URLField(allow_null=True, help_text="the page before, null on the first"),
    "results": HouseholdOutputSerializer(many=True),
})


class NoPmtModel(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "no_active_pmt_model"


def _unmasked(request) -> set[str]:
    """The sensitive fields this caller's role needs in full."""
    caller = caller_of(request)
    if "registry.view_unmasked_personal_data" in caller.permissions:
        return {*SENSITIVE_FIELDS, *MEMBER_SENSITIVE_FIELDS}
    return {"payout_account"} if "registry.view_unmasked_payout_account" in caller.permissions else set()


def _out(request, households, *, many=False):
    return HouseholdOutputSerializer(households, many=many, context={"unmasked": _unmasked(request)}).data


def _check_region(request, region_code: str) -> None:
    if not caller_of(request).sees_region(region_code):
        raise exceptions.PermissionDenied(f"Region {region_code} is not one of your regions.")


def _scored(write):
    """Run a write that scores households, answering 503 (not 500) while no PMT model is active."""
    try:
        return write()
    except selectors.NoActivePmtModel as missing:
        raise NoPmtModel(str(missing)) from None


def _refused_numbers_queued(request, write):
    """Run a write (its own transaction); if PhilSys numbers given belong to other households, queue
    them for review and audit the attempt once the refused transaction has rolled back."""
    try:
        return write()
    except services.NumberAlreadyRegistered as refused:
        services.number_conflicts_record(conflicts=refused.conflicts, channel="api", request=request)
        raise


def _input(data, *, changes_only=False) -> tuple[dict, list | None, str]:
    """The body's household fields, its members (None if not sent) and the change reason."""
    serializer = (HouseholdChangesSerializer if changes_only else HouseholdInputSerializer)(data=data)
    serializer.is_valid(raise_exception=True)
    household = dict(serializer.validated_data)
    members = household.pop("members", None)
    reason = household.pop("change_reason", "")
    if not changes_only:
        household = {**HOUSEHOLD_BLANKS, **household}
    return household, members, reason


class HouseholdApi(APIView):
    permission_classes = [ContextPermission]
    access_context, access_model = "registry", "household"


class HouseholdListCreateApi(HouseholdApi):
    @extend_schema(
        operation_id="households_list", summary="List households (in your regions)",
        description="Cursor-paginated: follow `next` and `previous` as given, with the same filters and ordering. "
                    "Households with equal values of the ordering field come in id order.",
        parameters=[HouseholdFilterSerializer, OpenApiParameter("cursor", str, description="from `next` or "
                                                                                           "`previous`")],
        responses={200: PAGE, **ERRORS},
    )
    def get(self, request):
        filters = HouseholdFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        criteria = dict(filters.validated_data)
        criteria.pop("page_size", None)  # read by the paginator, checked above
        households = selectors.household_list(regions=caller_of(request).regions, with_members=True, **criteria)
        paginator = HouseholdCursorPagination(ordering=criteria["ordering"])
        page = paginator.paginate_queryset(households, request, view=self)
        audit_record_create(request=request, action=AuditRecord.Action.LIST, object_type=HOUSEHOLD,
                            object_ids=[h.id for h in page], fields=PERSONAL_FIELDS)
        return paginator.get_paginated_response(_out(request, page, many=True))

    @extend_schema(operation_id="households_create", summary="Register a household with its members",
                   description="Size, incomes and PMT score are derived from the members and answers; a PhilSys "
                               "number registered already is refused (naming the household that has it only if it is "
                               "in one of your regions).",
                   request=HouseholdInputSerializer, responses={201: HouseholdOutputSerializer, **WRITE_ERRORS},
                   parameters=[IDEMPOTENCY_KEY], examples=[HOUSEHOLD_EXAMPLE])
    def post(self, request):
        return _refused_numbers_queued(request, lambda: idempotent(request, lambda: self._create(request)))

    def _create(self, request):
        household, members, reason = _input(request.data)
        with_ids = {f"members[{i}].id": ["A new household's members have no id yet."]
                    for i, member in enumerate(members) if "id" in member}
        if with_ids:
            raise drf_serializers.ValidationError(with_ids)
        _check_region(request, household["region_code"])
        created = self._register(request, household, members, reason)
        return Response(_out(request, created), status=status.HTTP_201_CREATED)

    @transaction.atomic
    def _register(self, request, household, members, reason):
        created = _scored(lambda: services.household_register(
            household=household, members=members, reason=reason or "registered through the API",
            regions=caller_of(request).regions))
        audit_record_create(request=request, action=AuditRecord.Action.CREATE, object_type=HOUSEHOLD,
                            object_ids=[created.id], fields=[*household, "members"])
        return created


class HouseholdOneApi(HouseholdApi):
    def _get(self, household_id):
        household = selectors.household_get(household_id=household_id, regions=caller_of(self.request).regions)
        if household is None:
            raise Http404(f"No household with id {household_id}.")
        return household


class HouseholdDetailApi(HouseholdOneApi):
    @extend_schema(operation_id="households_retrieve", summary="One household with its members",
                   responses={200: HouseholdOutputSerializer, 404: error_schema(), **ERRORS})
    def get(self, request, household_id):
        household = self._get(household_id)
        audit_record_create(request=request, action=AuditRecord.Action.READ, object_type=HOUSEHOLD,
                            object_ids=[household.id], fields=PERSONAL_FIELDS)
        return Response(_out(request, household))

    @extend_schema(operation_id="households_replace", summary="Replace a household and its members",
                   description="`members` is the complete new list: a member with an `id` is changed, one without "
                               "is added, a member left out is removed. Optional fields left out are cleared. "
                               "The body a GET answered can be sent back as it is: read-only fields equal to the "
                               "stored values, and masked numbers, are taken as unchanged (a different read-only "
                               "value is refused).",
                   request=HouseholdInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={200: HouseholdOutputSerializer, 404: error_schema(), **WRITE_ERRORS})
    def put(self, request, household_id):
        return self._update(request, household_id, changes_only=False)

    @extend_schema(operation_id="households_update", summary="Change some of a household's fields",
                   description="Only the fields sent change. `members`, if sent, is the complete new list, "
                               "as in PUT; a member given by `id` changes only the fields sent with it.",
                   request=HouseholdChangesSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={200: HouseholdOutputSerializer, 404: error_schema(), **WRITE_ERRORS})
    def patch(self, request, household_id):
        return self._update(request, household_id, changes_only=True)

    def _update(self, request, household_id, *, changes_only):
        return _refused_numbers_queued(request, lambda: idempotent(request, lambda: self._update_now(
            request, household_id, changes_only=changes_only)))

    def _update_now(self, request, household_id, *, changes_only):
        household = self._get(household_id)
        body = update_body(request.data, household=household, partial=changes_only)
        changes, members, reason = _input(body, changes_only=changes_only)
        if "region_code" in changes:
            _check_region(request, changes["region_code"])
        return Response(_out(request, self._change(request, household, changes, members, reason)))

    @transaction.atomic
    def _change(self, request, household, changes, members, reason):
        before = household.version
        household = _scored(lambda: services.household_update(household=household, changes=changes, members=members,
                                                              reason=reason, regions=caller_of(request).regions))
        if household.version != before:
            touched = [*changes, *(["members"] if members is not None else [])]
            audit_record_create(request=request, action=AuditRecord.Action.UPDATE, object_type=HOUSEHOLD,
                                object_ids=[household.id], fields=touched)
        return household


class HouseholdDeactivateApi(HouseholdOneApi):
    @extend_schema(operation_id="households_deactivate", summary="Deactivate, graduate, ... a household",
                   description="The household stays in the registry with its history; the reason is kept.",
                   request=HouseholdDeactivateSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={200: HouseholdOutputSerializer, 404: error_schema(), **ERRORS, **REUSED_RESPONSE})
    def post(self, request, household_id):
        return idempotent(request, lambda: self._deactivate(request, household_id))

    def _deactivate(self, request, household_id):
        household = self._get(household_id)
        serializer = HouseholdDeactivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            before = household.version
            household = services.household_set_status(household=household, **serializer.validated_data)
            if household.version != before:
                audit_record_create(request=request, action=AuditRecord.Action.UPDATE, object_type=HOUSEHOLD,
                                    object_ids=[household.id], fields=["status", "status_reason"])
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
