from django.urls import path

from .views import BreakdownApi, SummaryApi, TimeseriesApi

urlpatterns = [
    path("analytics/summary", SummaryApi.as_view(), name="analytics-summary"),
    path("analytics/timeseries", TimeseriesApi.as_view(), name="analytics-timeseries"),
    path("analytics/breakdown", BreakdownApi.as_view(), name="analytics-breakdown"),
]
