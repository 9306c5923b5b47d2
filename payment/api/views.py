"""Payment's read API: cycles, batches, entitlements and payments, region-scoped, cursor-paginated."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dsrs.access import ContextPermission, caller_of
from dsrs.api import CursorPagination, error_schema, list_answer
from dsrs.query_parameters import QueryParameters

from .. import selectors
from ..models import Batch, Cycle, Entitlement, Payment
from ..money import pesos

ERRORS = {400: error_schema(), 401: error_schema(), 403: error_schema()}


class Pages(CursorPagination):
    ordering = ("id",)  # unique, so pages stay stable while payments move
    page_size = 100


def cursor_parameters():
    return [OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 500})]


def page_of(name, serializer):
    return inline_serializer(name, {"next": serializers.URLField(allow_null=True),
                                    "previous": serializers.URLField(allow_null=True),
                                    "results": serializer(many=True)})


class Filters(QueryParameters):
    paging = ("cursor", "page_size")
    program_code = serializers.CharField(required=False, max_length=32)
    cycle_code = serializers.CharField(required=False, max_length=64)
    since = serializers.DateField(required=False, help_text="on or after this day")
    until = serializers.DateField(required=False, help_text="on or before this day")


class RegionalFilters(Filters):
    region_code = serializers.RegexField(r"^\d{2,10}$", required=False)
    household_id = serializers.UUIDField(required=False)


class CycleFilters(Filters):
    region_code = serializers.RegexField(r"^\d{2,10}$", required=False, help_text="cycles with batches in this region")
    status = serializers.ChoiceField(choices=Cycle.Status.choices, required=False)


class BatchFilters(RegionalFilters):
    status = serializers.ChoiceField(choices=Batch.Status.choices, required=False)


class PaymentFilters(RegionalFilters):
    status = serializers.ChoiceField(choices=Payment.Status.choices, required=False)
    batch_id = serializers.UUIDField(required=False)


class EntitlementFilters(PaymentFilters):
    """`status` is the entitlement's payment's status."""


class CycleOutput(serializers.ModelSerializer):
    program_code = serializers.CharField(source="program.code")
    total = serializers.SerializerMethodField()

    class Meta:
        model = Cycle
        fields = ["id", "code", "program_code", "period_start", "period_end", "due_on", "status", "entitlement_count",
                  "total_centavos", "total", "created_at"]

    def get_total(self, cycle) -> str:
        return pesos(cycle.total_centavos)


class BatchOutput(serializers.ModelSerializer):
    cycle_code = serializers.CharField(source="cycle.code")
    total = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = ["id", "cycle_id", "cycle_code", "number", "provider_code", "region_code", "status", "payment_count",
                  "total_centavos", "total", "prepared_by", "submitted_at", "approved_by", "approved_at", "created_at"]

    def get_total(self, batch) -> str:
        return pesos(batch.total_centavos)


class EntitlementOutput(serializers.ModelSerializer):
    cycle_code = serializers.CharField(source="cycle.code")
    payment_status = serializers.CharField(source="payment.status")

    class Meta:
        model = Entitlement
        fields = ["id", "cycle_id", "cycle_code", "batch_id", "household_id", "program_code", "amount_centavos",
                  "currency", "formula_version", "breakdown", "payment_status", "region_code", "province_code",
                  "municipality_code", "barangay_code", "created_at"]


class PaymentOutput(serializers.ModelSerializer):
    cycle_code = serializers.CharField(source="cycle.code")

    class Meta:
        model = Payment
        fields = ["id", "entitlement_id", "cycle_id", "cycle_code", "batch_id", "household_id", "program_code",
                  "status", "version", "attempt", "amount_centavos", "currency", "reason", "needs_review",
                  "review_reason", "region_code", "province_code", "municipality_code", "barangay_code",
                  "created_at", "updated_at"]


class PaymentApi(APIView):
    permission_classes = [ContextPermission]
    access_context, access_model = "payment", "payment"


def _list(name, summary, filters, output, rows, page):
    class ListApi(PaymentApi):
        @extend_schema(operation_id=name, summary=summary, parameters=[filters, *cursor_parameters()],
                       description="Cursor-paginated: follow `next` and `previous` as given, with the same filters.",
                       responses={200: page_of(page, output), **ERRORS})
        def get(self, request):
            return list_answer(self, request, filters=filters, paginator=Pages(), rows=rows, output=output)

    ListApi.__name__ = ListApi.__qualname__ = f"{page}Api"
    return ListApi


CycleListApi = _list("payment_cycles_list", "List payment cycles", CycleFilters, CycleOutput, selectors.cycle_list,
                     "CyclePage")
BatchListApi = _list("payment_batches_list", "List payment batches (in your regions)", BatchFilters, BatchOutput,
                     selectors.batch_list, "BatchPage")
EntitlementListApi = _list("entitlements_list", "List entitlements (in your regions), with their formula's result",
                           EntitlementFilters, EntitlementOutput, selectors.entitlement_list, "EntitlementPage")
PaymentListApi = _list("payments_list", "List payments (in your regions)", PaymentFilters, PaymentOutput,
                       selectors.payment_list, "PaymentPage")

Figures = inline_serializer("StatusFigures", {"count": serializers.IntegerField(),
                                              "centavos": serializers.IntegerField()})


class CycleTotalsApi(PaymentApi):
    @extend_schema(operation_id="payment_cycle_totals", summary="A cycle's payments per status (in your regions), "
                   "in centavos; `all` adds them up",
                   responses={200: inline_serializer("CycleTotals", {
                       "cycle": CycleOutput(), "totals": serializers.DictField(child=Figures)}),
                       **ERRORS, 404: error_schema()})
    def get(self, request, cycle_id):
        from django.shortcuts import get_object_or_404

        cycle = get_object_or_404(Cycle.objects.select_related("program"), pk=cycle_id)
        return Response({"cycle": CycleOutput(cycle).data,
                         "totals": selectors.cycle_totals(cycle, regions=caller_of(request).regions)})
