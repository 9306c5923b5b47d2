from django.urls import path

from .views import PaymentListApi

urlpatterns = [path("payments", PaymentListApi.as_view(), name="payment-list")]
