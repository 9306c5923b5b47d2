from rest_framework import serializers
from rest_framework.views import APIView

from dsrs.access import ContextPermission
from drf_spectacular.utils import extend_schema

from dsrs.api import DefaultPagination, error_schema, list_answer, page_parameters, paginated
from dsrs.query_parameters import QueryParameters

from .. import selectors
from ..models import Payment


class PaymentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "household_id", "assessment_id", "program_code", "cycle", "amount", "currency",
                  "region_code", "province_code", "municipality_code", "barangay_code", "status", "scheduled_at",
                  "completed_at"]


class PaymentFilterSerializer(QueryParameters):
    household_id = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=Payment.Status.choices, required=False)
    cycle = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                                   error_messages={"invalid": "Use the form YYYY-MM."})
    region_code = serializers.CharField(required=False, max_length=10)


class PaymentListApi(APIView):
    permission_classes = [ContextPermission]
    access_context, access_model = "payment", "payment"

    @extend_schema(operation_id="payments_list", summary="List payments (in your regions)",
                   parameters=[PaymentFilterSerializer, *page_parameters()],
                   responses={200: paginated(PaymentOutputSerializer, "PaymentPage"), 400: error_schema(),
                              401: error_schema(), 403: error_schema()})
    def get(self, request):
        return list_answer(self, request, filters=PaymentFilterSerializer, paginator=DefaultPagination(),
                           rows=selectors.payment_list, output=PaymentOutputSerializer)
