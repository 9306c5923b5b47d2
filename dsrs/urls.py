from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from identity.api.views import JwksApi

from . import health
from .index import ApiIndex

handler404 = "dsrs.api.not_found"

admin.site.site_header = "DSRS — Dynamic Social Registry"
admin.site.site_title = "DSRS admin"
admin.site.index_title = "Registry, eligibility, payments and events"

api_v1 = [
    path("", include("registry.api.urls")),
    path("", include("eligibility.api.urls")),
    path("", include("payment.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("identity.api.urls")),
]

api_v1.insert(0, path("", ApiIndex.as_view(patterns=api_v1), name="api-index"))

urlpatterns = [
    path("admin/analytics/", include("analytics.dashboard_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/v1/schema", SpectacularAPIView.as_view(), name="openapi-schema"),
    path("api/v1/docs", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="openapi-docs"),
    path(".well-known/jwks.json", JwksApi.as_view(), name="jwks"),
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("healthz/dependencies", health.dependencies, name="healthz-dependencies"),
    path("", include("django_prometheus.urls")),
]
