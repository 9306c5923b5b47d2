from django.urls import path

from . import views

urlpatterns = [
    path("payments", views.PaymentListApi.as_view(), name="payment-list"),
    path("payment-cycles", views.CycleListApi.as_view(), name="payment-cycle-list"),
    path("payment-cycles/<uuid:cycle_id>/totals", views.CycleTotalsApi.as_view(), name="payment-cycle-totals"),
    path("payment-batches", views.BatchListApi.as_view(), name="payment-batch-list"),
    path("entitlements", views.EntitlementListApi.as_view(), name="entitlement-list"),
]
