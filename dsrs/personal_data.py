"""Personal data at rest: blind indexes for exact lookup and masking for display.

The values themselves are stored with django-fernet-encrypted-fields; nothing here ever logs them.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

# Request fields whose values no answer may repeat (error messages included): personal numbers and secrets.
REQUEST_SECRET_FIELDS = frozenset({"philsys_number", "phone_number", "payout_account", "password", "refresh"})


def ascii_form(value: str) -> str:
    """A number as typed in any script, in ASCII: compatibility forms folded (NFKC: full-width '１２'
    and '＋' become '12' and '+') and every decimal digit of another script (Arabic-Indic '٤',
    Devanagari '४', ...) written as its ASCII digit. Anything else stays, for validation to refuse."""
    if value.isascii():
        return value
    value = unicodedata.normalize("NFKC", value)
    return "".join(c if c.isascii() or unicodedata.decimal(c, None) is None else str(unicodedata.decimal(c))
                   for c in value)


def normalized(value: str) -> str:
    """Digits and letters only, in ASCII, upper case: '1234-5678 9012', '123456789012' and the same
    digits in another script index alike; distinct numbers never do."""
    return re.sub(r"[^0-9A-Za-z]", "", ascii_form(value or "")).upper()


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
