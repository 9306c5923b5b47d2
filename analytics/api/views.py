from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_spectacular.utils import extend_schema, inline_serializer

from dsrs.access import ContextPermission, caller_of
from dsrs.api import error_schema
from dsrs.query_parameters import QueryParameters

from .. import selectors


def _psgc_code(level: str) -> serializers.RegexField:
    return serializers.RegexField(r"^\d{10}$", required=False, help_text=f"PSGC {level} code (10 digits)",
                                  error_messages={"invalid": f"A PSGC {level} code has 10 digits."})


SUMMARY_DESCRIPTION = (
    "Live figures: households by their latest decision, payments ever scheduled and completed.\n\n"
    "Every filter given narrows the figures (they combine with AND). `region_code`, `province_code`, "
    "`municipality_code` (city or municipality) and `barangay_code` are 10-digit PSGC codes; a code of another form "
    "is refused with 400 naming the field. A caller limited to some regions must also give one of them as "
    "`region_code`. Facts decided from v1 events, which named no level below the region, count only in region and "
    "national figures."
)


class SummaryFilterSerializer(QueryParameters):
    paging = ()  # one answer, not a list

    region_code = _psgc_code("region")
    province_code = _psgc_code("province")
    municipality_code = _psgc_code("city or municipality")
    barangay_code = _psgc_code("barangay")
    program_code = serializers.CharField(required=False, max_length=32)


class SummaryApi(APIView):
    """Live figures: households by their latest decision, payments ever scheduled and completed.

    A caller limited to some regions asks for one of them (`region_code`) and gets its figures.
    """

    permission_classes = [ContextPermission]
    access_context, access_model = "analytics", "summary"

    @extend_schema(
        operation_id="analytics_summary", summary="Live figures", description=SUMMARY_DESCRIPTION,
        parameters=[SummaryFilterSerializer],
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
