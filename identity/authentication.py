"""JWT authentication that reads the caller in one query.

simplejwt's JWTAuthentication reads the token's user, and resolving the Caller (identity.access) then
read the user's partner client and staff profile, one query each, on every request. Here the user
comes with both (select_related): a partner client's request reads its caller in one query. Nothing
is cached between requests, so a revoked or changed client or role applies to the next request.
"""

from django.contrib.auth import get_user_model
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication


class _UsersWithProfiles:
    """What simplejwt's get_user reads of the user model: `objects.get` and `DoesNotExist`."""

    def __init__(self, model):
        self.model, self.DoesNotExist = model, model.DoesNotExist

    @property
    def objects(self):
        return self.model.objects.select_related("partner_client", "staff_profile")


class JWTAuthentication(authentication.JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _UsersWithProfiles(get_user_model())


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of this class: simplejwt's (bearer JWT), as drf-spectacular describes it."""

    target_class = "identity.authentication.JWTAuthentication"
