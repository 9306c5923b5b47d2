from django.urls import path
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from .serializers import LockoutAwareTokenObtainSerializer

urlpatterns = [
    path("auth/token", TokenObtainPairView.as_view(serializer_class=LockoutAwareTokenObtainSerializer),
         name="token-obtain"),
    path("auth/token/refresh", TokenRefreshView.as_view(), name="token-refresh"),
]
