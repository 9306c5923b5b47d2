"""The analytics API: the summary, a KPI's time series and a breakdown by region or program.

Region-scoped like the rest of the API: a caller limited to some regions asks for one of them
(`region_code`). Small cells are withheld (null) for callers who may not see households.
"""

from django.conf import settings
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_spectacular.utils import extend_schema, inline_serializer

from dsrs.access import ContextPermission, caller_of
from dsrs.api import error_schema
from dsrs.query_parameters import QueryParameters

from .. import selectors
from ..facts import ENROLMENT_STATES, PAYMENT_STATES
from ..figures import FUNNEL, KPIS, money


def _psgc_code(level: str) -> serializers.RegexField:
    return serializers.RegexField(r"^\d{10}$", required=False, help_text=f"PSGC {level} code (10 digits)",
                                  error_messages={"invalid": f"A PSGC {level} code has 10 digits."})


FILTERS_DESCRIPTION = (
    "Every filter given narrows the figures (they combine with AND). `region_code`, `province_code`, "
    "`municipality_code` (city or municipality) and `barangay_code` are 10-digit PSGC codes. `program_code` and "
    "`cycle` narrow the figures that have a program or a cycle and leave the others as they are (households have "
    "no program; only payments have a cycle). `date_from` and `date_to` (Asia/Manila days, inclusive) keep the "
    "aggregates whose counted change fell within them: a household by the day it was first registered, an "
    "assessment or enrolment by the day of its latest decision, a payment by the day of its latest transition "
    "(created payments by the day each was created). A caller limited to some regions must give one of them as "
    "`region_code`. A figure computed over fewer than ANALYTICS_MIN_CELL households (10) is null for callers who "
    "may not see households (no `registry.view_household`, no `registry:read` scope)."
)


class FilterSerializer(QueryParameters):
    paging = ()  # one answer, not a list

    region_code = _psgc_code("region")
    province_code = _psgc_code("province")
    municipality_code = _psgc_code("city or municipality")
    barangay_code = _psgc_code("barangay")
    program_code = serializers.CharField(required=False, max_length=32)
    cycle = serializers.CharField(required=False, max_length=64, help_text="payment cycle code, e.g. 4PS-2026-12")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["date_to comes before date_from."]})
        return attrs


class TimeseriesFilterSerializer(FilterSerializer):
    kpi = serializers.ChoiceField(choices=sorted(KPIS), required=False, default="households_registered")
    interval = serializers.ChoiceField(choices=["day", "week", "month"], required=False, default="day")


class BreakdownFilterSerializer(FilterSerializer):
    by = serializers.ChoiceField(choices=["region", "program"], required=False, default="region")


_count = serializers.IntegerField(allow_null=True)
SUMMARY_FIELDS = {
    **{name: serializers.IntegerField(allow_null=True) for name in (
        "households_registered", "households_active", "households_assessed", "households_approved",
        "households_denied", *(f"households_{s}" for s in ENROLMENT_STATES), "waitlist_length",
        "payments_scheduled", "payments_completed")},
    "coverage": serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True,
                                         help_text="households enrolled / households approved"),
    "payment_success_rate": serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True,
                                                     help_text="payments paid / (paid + failed + reversed)"),
    "amount_scheduled": serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True),
    "amount_completed": serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True),
    "payments": inline_serializer(name="PaymentsByState", fields={
        state: inline_serializer(name=f"Payments{state.title()}", fields={
            "count": serializers.IntegerField(allow_null=True),
            "amount": serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)})
        for state in PAYMENT_STATES}),
    "payment_funnel": inline_serializer(name="PaymentFunnel", fields={
        step: serializers.IntegerField(allow_null=True) for step, _ in FUNNEL}),
}
ERRORS = {400: error_schema(), 401: error_schema(), 403: error_schema()}


class _AnalyticsApi(APIView):
    permission_classes = [ContextPermission]
    access_context, access_model = "analytics", "summary"
    filters_class = FilterSerializer

    def arguments(self, request) -> dict:
        filters = self.filters_class(data=request.query_params)
        filters.is_valid(raise_exception=True)
        caller, region_code = caller_of(request), filters.validated_data.get("region_code")
        if caller.regions is not None and not (region_code and caller.sees_region(region_code)):
            raise exceptions.PermissionDenied("Ask for one of your regions with region_code; national figures are "
                                              "for national roles.")
        sees_households = caller.may("registry", "household", write=False)
        return {**filters.validated_data, "min_cell": 0 if sees_households else settings.ANALYTICS_MIN_CELL}


class SummaryApi(_AnalyticsApi):
    """Live figures: households registered, assessed, enrolled and waitlisted, payments by state."""

    @extend_schema(operation_id="analytics_summary", summary="Live figures", description=FILTERS_DESCRIPTION,
                   parameters=[FilterSerializer],
                   responses={200: inline_serializer(name="Summary", fields=SUMMARY_FIELDS), **ERRORS})
    def get(self, request):
        arguments = self.arguments(request)
        return Response(selectors.summary_get(**arguments).as_dict())


class TimeseriesApi(_AnalyticsApi):
    """One KPI per day, week (from Monday) or month: the period's figure and the running total."""

    filters_class = TimeseriesFilterSerializer

    @extend_schema(
        operation_id="analytics_timeseries", summary="A KPI over time", parameters=[TimeseriesFilterSerializer],
        description=FILTERS_DESCRIPTION + "\n\nOne point per period with any change; `count` is the period's, "
        "`total` the running total (from the first day, not from `date_from`); money KPIs add `amount` and "
        "`total_amount` (decimal strings). A withheld point has nulls.",
        responses={200: inline_serializer(name="Timeseries", fields={
            "kpi": serializers.CharField(), "interval": serializers.CharField(),
            "points": inline_serializer(name="TimeseriesPoint", many=True, fields={
                "period": serializers.DateField(), "count": _count, "total": _count,
                "amount": serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, required=False),
                "total_amount": serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                                         required=False)})}), **ERRORS})
    def get(self, request):
        arguments = self.arguments(request)
        points = selectors.timeseries_get(**arguments)
        for point in points:
            for name in ("amount", "total_amount"):
                if point.get(name) is not None:
                    point[name] = money(point[name])
        return Response({"kpi": arguments["kpi"], "interval": arguments["interval"], "points": points})


class BreakdownApi(_AnalyticsApi):
    """The summary's figures for each region or each program."""

    filters_class = BreakdownFilterSerializer

    @extend_schema(
        operation_id="analytics_breakdown", summary="Figures by region or program",
        parameters=[BreakdownFilterSerializer], description=FILTERS_DESCRIPTION,
        responses={200: inline_serializer(name="Breakdown", fields={
            "by": serializers.CharField(),
            "rows": inline_serializer(name="BreakdownRow", many=True, fields={
                "region": serializers.CharField(required=False), "program": serializers.CharField(required=False),
                **SUMMARY_FIELDS})}), **ERRORS})
    def get(self, request):
        arguments = self.arguments(request)
        return Response({"by": arguments["by"], "rows": selectors.breakdown_get(**arguments)})
