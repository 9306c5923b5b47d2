from rest_framework_simplejwt.serializers import TokenObtainPairSerializer


class LockoutAwareTokenObtainSerializer(TokenObtainPairSerializer):
    """Authenticates against Django's own request, where django-axes marks a locked-out login.

    DRF wraps the request; axes' middleware only sees marks made on the wrapped HttpRequest.
    """

    def validate(self, attrs):
        request = self.context.get("request")
        if request is not None and hasattr(request, "_request"):
            self.context["request"] = request._request
        return super().validate(attrs)
