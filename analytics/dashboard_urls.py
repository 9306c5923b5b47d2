from django.contrib import admin
from django.urls import path

from .dashboard import dashboard

# Before the admin's own URLs, so that /admin/analytics/dashboard/ is this page, behind the admin's login.
urlpatterns = [path("dashboard/", admin.site.admin_view(dashboard), name="analytics-dashboard")]
