from django.urls import path

from .views import TokenObtainApi, TokenRefreshApi

urlpatterns = [
    path("auth/token", TokenObtainApi.as_view(), name="token-obtain"),
    path("auth/token/refresh", TokenRefreshApi.as_view(), name="token-refresh"),
]
