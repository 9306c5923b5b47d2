from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from dsrs.api import error_schema
from dsrs.signing_keys import jwk_of

from .serializers import LockoutAwareTokenObtainSerializer

# What the token endpoints answer (simplejwt's serializers describe what they take).
TokenPairOutput = inline_serializer(name="TokenPair", fields={"access": serializers.CharField(),
                                                              "refresh": serializers.CharField()})


@extend_schema_view(post=extend_schema(
    operation_id="token_obtain", summary="A pair of tokens for a username (or client id) and password",
    responses={200: TokenPairOutput,
               401: OpenApiResponse(error_schema(), description="wrong credentials or inactive account"),
               429: OpenApiResponse(error_schema(), description="too many requests, or too many failed logins for "
                                                                "this account")}))
class TokenObtainApi(TokenObtainPairView):
    serializer_class = LockoutAwareTokenObtainSerializer


@extend_schema_view(post=extend_schema(
    operation_id="token_refresh", summary="A new access token (and a new refresh token) for a refresh token",
    responses={200: TokenPairOutput,
               401: OpenApiResponse(error_schema(), description="the refresh token is invalid, expired or used")}))
class TokenRefreshApi(TokenRefreshView):
    pass


class JwksApi(APIView):
    """The public key that verifies DSRS tokens, for gateways and other services (RFC 7517)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(operation_id="jwks", summary="Public keys that verify DSRS tokens (JWKS)",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        response = Response({"keys": [jwk_of(settings.JWT_PUBLIC_KEY)]})
        response["Cache-Control"] = "public, max-age=300"
        return response
