from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors


class SummaryFilterSerializer(serializers.Serializer):
    region_code = serializers.RegexField(r"^\d{10}$", required=False,
                                         error_messages={"invalid": "A PSGC region code has 10 digits."})
    program_code = serializers.CharField(required=False, max_length=32)


class SummaryApi(APIView):
    """Live figures: households by their latest decision, payments ever scheduled and completed."""

    def get(self, request):
        filters = SummaryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return Response(selectors.summary_get(**filters.validated_data).as_dict())
