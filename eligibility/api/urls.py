from django.urls import path

from .views import AssessmentListApi, EnrolmentListApi, HouseholdEligibilityApi

urlpatterns = [
    path("assessments", AssessmentListApi.as_view(), name="assessment-list"),
    path("enrolments", EnrolmentListApi.as_view(), name="enrolment-list"),
    path("eligibility/households/<uuid:household_id>", HouseholdEligibilityApi.as_view(),
         name="household-eligibility"),
]
