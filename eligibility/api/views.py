from rest_framework import serializers
from rest_framework.views import APIView

from dsrs.access import ContextPermission, caller_of
from drf_spectacular.utils import extend_schema

from dsrs.api import DefaultPagination, error_schema, page_parameters, paginated
from dsrs.query_parameters import QueryParameters

from .. import selectors
from ..models import Assessment


class AssessmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = ["id", "household_id", "household_version", "program_code", "decision", "reasons", "region_code",
                  "province_code", "municipality_code", "barangay_code", "pmt_score", "pmt_model_version",
                  "monthly_income", "assessed_at"]


class AssessmentFilterSerializer(QueryParameters):
    household_id = serializers.UUIDField(required=False)
    decision = serializers.ChoiceField(choices=Assessment.Decision.choices, required=False)
    region_code = serializers.CharField(required=False, max_length=10)


class AssessmentListApi(APIView):
    permission_classes = [ContextPermission]
    access_context, access_model = "eligibility", "assessment"

    @extend_schema(operation_id="assessments_list", summary="List assessments (in your regions)",
                   parameters=[AssessmentFilterSerializer, *page_parameters()],
                   responses={200: paginated(AssessmentOutputSerializer, "AssessmentPage"), 400: error_schema(),
                              401: error_schema(), 403: error_schema()})
    def get(self, request):
        filters = AssessmentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(selectors.assessment_list(regions=caller_of(request).regions,
                                                                **filters.validated_data), request, view=self)
        return paginator.get_paginated_response(AssessmentOutputSerializer(page, many=True).data)
