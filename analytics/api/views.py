from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dsrs.access import ContextPermission, caller_of

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

    def get(self, request):
        filters = SummaryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        caller, region_code = caller_of(request), filters.validated_data.get("region_code")
        if caller.regions is not None and not (region_code and caller.sees_region(region_code)):
            raise exceptions.PermissionDenied("Ask for one of your regions with region_code; national figures are "
                                              "for national roles.")
        return Response(selectors.summary_get(**filters.validated_data).as_dict())
