"""Personal data at rest: blind indexes for exact lookup and masking for display.

The values themselves are stored with django-fernet-encrypted-fields; nothing here ever logs them.
"""

import hashlib
import hmac
import re

from django.conf import settings

# Request fields whose values no answer may repeat (error messages included): personal numbers and secrets.
REQUEST_SECRET_FIELDS = frozenset({"philsys_number", "phone_number", "payout_account", "password", "refresh"})


def normalized(value: str) -> str:
    """Digits and letters only, upper case: '1234-5678 9012' and '123456789012' index alike."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def blind_index(value: str | None, *, purpose: str) -> str:
    """A keyed hash of the value, distinct per purpose, for exact lookup without decryption."""
    if not value:
        return ""
    message = f"{purpose}:{normalized(value)}".encode()
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), message, hashlib.sha256).hexdigest()


def masked(value: str | None, *, visible: int = 4) -> str | None:
    """All but the last `visible` characters hidden: '123456789012' -> '********9012'."""
    if not value:
        return value
    return "*" * max(len(value) - visible, 0) + value[-visible:]
