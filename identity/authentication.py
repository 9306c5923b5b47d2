"""JWT authentication that reads the caller in one query.

simplejwt's JWTAuthentication reads the token's user, and resolving the Caller (identity.access) then
read the user's partner client and staff profile, one query each, on every request. Here the user
comes with both (select_related): a partner client's request reads its caller in one query. The
caller is never cached between requests, so a revoked or changed client or role applies to the next
request; only the query's SQL is compiled once per connection and sent as a prepared statement
(dsrs.prepared), and a token's verified signature is remembered by the token's hash (_VerifiedTokens).
"""

import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import aware_utcnow

from dsrs.prepared import Prepared


def _with_profiles(model):
    return model.objects.select_related("partner_client", "staff_profile")


def _user_by_id(model):
    field = model._meta.get_field(api_settings.USER_ID_FIELD)
    return Prepared(
        f"identity.caller.{model._meta.label_lower}.{field.name}",
        lambda value: _with_profiles(model).filter(**{field.name: value}).order_by()[:21],  # as .get() does
        # A value no user has (in the range of an integer id: an exact lookup out of range compiles to nothing).
        placeholders=[-1_987_654_321 if field.get_internal_type().endswith(("AutoField", "IntegerField"))
                      else "\x00no such user"],
        params=[lambda value: field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)])


class _Users:
    """`objects.get(<USER_ID_FIELD>=...)` as simplejwt's get_user calls it: the user with its profiles."""

    def __init__(self, model, prepared: Prepared):
        self.model, self.prepared = model, prepared

    def get(self, **lookup):
        (name, value), = lookup.items()
        if name != api_settings.USER_ID_FIELD:
            return _with_profiles(self.model).get(**lookup)
        found = self.prepared.run(value)
        if not found:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        if len(found) > 1:
            raise self.model.MultipleObjectsReturned(f"get() returned more than one {self.model._meta.object_name}")
        return found[0]


class _UsersWithProfiles:
    """What simplejwt's get_user reads of the user model: `objects.get` and `DoesNotExist`."""

    def __init__(self, model):
        self.model, self.DoesNotExist = model, model.DoesNotExist
        self.objects = _Users(model, _user_by_id(model))


class _VerifiedTokens:
    """The claims of tokens whose signature, issuer and audience were verified, by the SHA-256 of the token
    (the token itself is not kept): a bounded LRU per process (`JWT_VERIFIED_CACHE_SIZE` tokens, 0: none).
    A token found here skips only the RS256 signature check (the same bytes were verified); its expiry,
    id and type are checked again on every request (simplejwt's Token.verify), an expired one is dropped,
    and the caller (active user, live partner client, roles) is read from the database every time."""

    def __init__(self):
        self.claims: OrderedDict[bytes, tuple[type, dict]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: bytes):
        with self.lock:
            found = self.claims.get(key)
            if found is not None:
                self.claims.move_to_end(key)
            return found

    def put(self, key: bytes, token_class: type, payload: dict, size: int) -> None:
        with self.lock:
            self.claims[key] = (token_class, dict(payload))
            self.claims.move_to_end(key)
            while len(self.claims) > size:
                self.claims.popitem(last=False)

    def drop(self, key: bytes) -> None:
        with self.lock:
            self.claims.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.claims.clear()


VERIFIED_TOKENS = _VerifiedTokens()


@receiver(setting_changed)
def _keys_changed(*, setting, **kwargs):
    if setting in ("SIMPLE_JWT", "JWT_VERIFIED_CACHE_SIZE"):
        VERIFIED_TOKENS.clear()


class JWTAuthentication(authentication.JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _UsersWithProfiles(get_user_model())

    def get_validated_token(self, raw_token: bytes):
        size = settings.JWT_VERIFIED_CACHE_SIZE
        if not size:
            return super().get_validated_token(raw_token)
        key = hashlib.sha256(raw_token).digest()
        found = VERIFIED_TOKENS.get(key)
        if found is not None:
            token_class, payload = found
            token = token_class.__new__(token_class)
            token.token, token.current_time, token.payload = raw_token, aware_utcnow(), dict(payload)
            try:
                token.verify()
                return token
            except TokenError:
                VERIFIED_TOKENS.drop(key)  # expired: simplejwt answers as it answers any expired token
        token = super().get_validated_token(raw_token)
        VERIFIED_TOKENS.put(key, type(token), token.payload, size)
        return token


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of this class: simplejwt's (bearer JWT), as drf-spectacular describes it."""

    target_class = "identity.authentication.JWTAuthentication"
