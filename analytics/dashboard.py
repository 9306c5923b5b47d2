"""The analytics dashboard, a page of the admin site (the admin's login and session): KPI tiles, a
time series, breakdowns by region and program and the payment funnel, drawn with Chart.js (served
from the project's static files) from the analytics API, which applies the caller's region scope
and small-cell suppression as it does for every other client."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from .figures import KPIS


def dashboard(request):
    if not request.user.has_perm("analytics.view_summary"):
        raise PermissionDenied("Viewing the analytics needs the analytics.view_summary permission.")
    return TemplateResponse(request, "analytics/dashboard.html", {
        **admin.site.each_context(request), "title": "Analytics dashboard", "kpis": sorted(KPIS),
        "min_cell": settings.ANALYTICS_MIN_CELL,
    })
