import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from .models import PartnerClient


def _secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def partner_client_create(*, name: str, scopes: list[str], region_codes: list[str]) -> tuple[PartnerClient, str]:
    """A new partner client and its secret, which is shown this once and stored only as a hash."""
    unknown = sorted(set(scopes) - set(PartnerClient.SCOPES))
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}")
    secret = _secret()
    account = get_user_model().objects.create_user(username=f"client-{secrets.token_hex(8)}", password=secret)
    client = PartnerClient.objects.create(name=name, account=account, scopes=scopes, region_codes=region_codes)
    return client, secret


@transaction.atomic
def partner_client_rotate_secret(*, client: PartnerClient) -> str:
    """A new secret; the old one stops working at once, and so do the refresh tokens issued with it.

    Access tokens already issued run out within JWT_ACCESS_MINUTES; revoke the client to cut those too.
    """
    for outstanding in OutstandingToken.objects.filter(user=client.account):
        BlacklistedToken.objects.get_or_create(token=outstanding)
    secret = _secret()
    client.account.set_password(secret)
    client.account.save(update_fields=["password"])
    client.secret_rotated_at = timezone.now()
    client.save(update_fields=["secret_rotated_at"])
    return secret


@transaction.atomic
def partner_client_revoke(*, client: PartnerClient) -> None:
    """Refuse the client from now on, its tokens already issued included."""
    client.account.is_active = False
    client.account.save(update_fields=["is_active"])
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
