from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dsrs.signing_keys import jwk_of


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
