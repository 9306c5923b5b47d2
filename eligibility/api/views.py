from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from dsrs.access import ContextPermission, caller_of

from dsrs.api import CursorPagination, DefaultPagination, error_schema, list_answer, page_parameters, paginated
from dsrs.query_parameters import QueryParameters

from .. import selectors
from ..models import Assessment, Enrolment

ERRORS = {400: error_schema(), 401: error_schema(), 403: error_schema()}


class AssessmentOutputSerializer(serializers.ModelSerializer):
    explanation_text = serializers.CharField(source="explain", read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "household_id", "household_version", "program_code", "rule_set_version", "decision",
                  "reasons", "explanation", "explanation_text", "region_code", "province_code", "municipality_code",
                  "barangay_code", "pmt_score", "pmt_model_version", "monthly_income", "assessed_on", "is_latest",
                  "assessed_at"]


class EnrolmentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["id", "household_id", "program_code", "status", "reason", "version", "assessment_id",
                  "region_code", "province_code", "municipality_code", "barangay_code", "pmt_score", "enrolled_on",
                  "waitlisted_on", "suspended_on", "exited_on", "status_changed_at"]


class AssessmentFilterSerializer(QueryParameters):
    household_id = serializers.UUIDField(required=False)
    program_code = serializers.CharField(required=False, max_length=32)
    decision = serializers.ChoiceField(choices=Assessment.Decision.choices, required=False)
    region_code = serializers.CharField(required=False, max_length=10)


class EnrolmentFilterSerializer(QueryParameters):
    paging = ("cursor", "page_size")

    program_code = serializers.CharField(required=False, max_length=32)
    status = serializers.ChoiceField(choices=Enrolment.Status.choices, required=False)
    region_code = serializers.CharField(required=False, max_length=10)
    household_id = serializers.UUIDField(required=False)


class EligibilityApi(APIView):
    """Read-only; enrolments are read with the permission to read assessments (both are decisions)."""

    permission_classes = [ContextPermission]
    access_context, access_model = "eligibility", "assessment"


class AssessmentListApi(EligibilityApi):
    @extend_schema(operation_id="assessments_list", summary="List assessments (in your regions), with explanations",
                   parameters=[AssessmentFilterSerializer, *page_parameters()],
                   responses={200: paginated(AssessmentOutputSerializer, "AssessmentPage"), **ERRORS})
    def get(self, request):
        return list_answer(self, request, filters=AssessmentFilterSerializer, paginator=DefaultPagination(),
                           rows=selectors.assessment_list, output=AssessmentOutputSerializer)


class EnrolmentCursorPagination(CursorPagination):
    ordering = ("id",)  # unique, so pages stay stable while enrolments change
    page_size = 100


class EnrolmentListApi(EligibilityApi):
    @extend_schema(operation_id="enrolments_list", summary="List enrolments by program, region and status",
                   description="Cursor-paginated: follow `next` and `previous` as given, with the same filters.",
                   parameters=[EnrolmentFilterSerializer, OpenApiParameter("cursor", str),
                               OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 500})],
                   responses={200: inline_serializer("EnrolmentPage", {
                       "next": serializers.URLField(allow_null=True), "previous": serializers.URLField(allow_null=True),
                       "results": EnrolmentOutputSerializer(many=True)}), **ERRORS})
    def get(self, request):
        return list_answer(self, request, filters=EnrolmentFilterSerializer, paginator=EnrolmentCursorPagination(),
                           rows=selectors.enrolment_list, output=EnrolmentOutputSerializer)


class HouseholdEligibilityApi(EligibilityApi):
    @extend_schema(operation_id="household_eligibility", summary="A household's latest assessment and enrolment "
                   "in each program, with the explanation",
                   responses={200: inline_serializer("HouseholdEligibility", {
                       "household_id": serializers.UUIDField(),
                       "programs": inline_serializer("ProgramEligibility", {
                           "program_code": serializers.CharField(),
                           "assessment": AssessmentOutputSerializer(),
                           "enrolment": EnrolmentOutputSerializer(allow_null=True)}, many=True)}),
                              **ERRORS, 404: error_schema()})
    def get(self, request, household_id):
        regions = caller_of(request).regions
        assessments = selectors.assessment_list(regions=regions, household_id=household_id).filter(is_latest=True)
        if not assessments:
            raise NotFound("No assessment of this household in your regions.")
        enrolments = {e.program_code: e for e in selectors.enrolment_list(regions=regions, household_id=household_id)}
        return Response({"household_id": str(household_id), "programs": [
            {"program_code": a.program_code, "assessment": AssessmentOutputSerializer(a).data,
             "enrolment": EnrolmentOutputSerializer(enrolments[a.program_code]).data
             if a.program_code in enrolments else None}
            for a in sorted(assessments, key=lambda a: a.program_code)]})
