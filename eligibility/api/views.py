from rest_framework import serializers
from rest_framework.views import APIView

from dsrs.access import ContextPermission, caller_of
from dsrs.api import DefaultPagination

from .. import selectors
from ..models import Assessment


class AssessmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = ["id", "household_id", "household_version", "program_code", "decision", "reasons", "region_code",
                  "pmt_score", "monthly_income", "assessed_at"]


class AssessmentFilterSerializer(serializers.Serializer):
    household_id = serializers.UUIDField(required=False)
    decision = serializers.ChoiceField(choices=Assessment.Decision.choices, required=False)
    region_code = serializers.CharField(required=False, max_length=10)


class AssessmentListApi(APIView):
    permission_classes = [ContextPermission]
    access_context, access_model = "eligibility", "assessment"

    def get(self, request):
        filters = AssessmentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(selectors.assessment_list(regions=caller_of(request).regions,
                                                                **filters.validated_data), request, view=self)
        return paginator.get_paginated_response(AssessmentOutputSerializer(page, many=True).data)
