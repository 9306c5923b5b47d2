from django.urls import path

from .views import AssessmentListApi

urlpatterns = [path("assessments", AssessmentListApi.as_view(), name="assessment-list")]
