from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_spectacular.utils import extend_schema, inline_serializer

from dsrs.access import ContextPermission, caller_of
from dsrs.api import error_schema

from .. import selectors


class SummaryFilterSerializer(serializers.Serializer):
    region_code = serializers.RegexField(r"^\d{10}$", required=False,
                                         error_messages={"invalid": "A PSGC region code has 10 digits."})
    program_code = serializers.CharField(required=False, max_length=32)


class SummaryApi(APIView):
    """Live figures: households by their latest decision, payments ever scheduled and completed.

    A caller limited to some regions asks for one of them (`region_code`) and gets its figures.
    """

    permission_classes = [ContextPermission]
    access_context, access_model = "analytics", "summary"

    @extend_schema(
        operation_id="analytics_summary", summary="Live figures", parameters=[SummaryFilterSerializer],
        responses={200: inline_serializer(name="Summary", fields={
            **{name: serializers.IntegerField() for name in (
                "households_assessed", "households_approved", "households_denied", "payments_scheduled",
                "payments_completed")},
            "amount_scheduled": serializers.DecimalField(max_digits=14, decimal_places=2),
            "amount_completed": serializers.DecimalField(max_digits=14, decimal_places=2),
        }), 400: error_schema(), 401: error_schema(), 403: error_schema()},
    )
    def get(self, request):
        filters = SummaryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        caller, region_code = caller_of(request), filters.validated_data.get("region_code")
        if caller.regions is not None and not (region_code and caller.sees_region(region_code)):
            raise exceptions.PermissionDenied("Ask for one of your regions with region_code; national figures are "
                                              "for national roles.")
        return Response(selectors.summary_get(**filters.validated_data).as_dict())
