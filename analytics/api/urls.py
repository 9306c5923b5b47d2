from django.urls import path

from .views import SummaryApi

urlpatterns = [path("analytics/summary", SummaryApi.as_view(), name="analytics-summary")]
