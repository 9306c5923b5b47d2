"""Idempotency keys of the API's writes (issue 12, item 3), as the IETF httpapi draft
"The Idempotency-Key HTTP Header Field" and the large payment APIs define them.

A write sent with `Idempotency-Key: <key>` is done once per caller and key: a retry with the same
request (method, path and body) gets the first answer again and changes nothing; the same key with
another request is refused (422). A key is kept `REGISTRY_IDEMPOTENCY_KEY_HOURS` (24 h) after its
first use, then forgotten (a beat task prunes it; an expired key is free again at once).

Concurrent retries: the first request's row holds the key's unique index until its transaction ends,
so a second one with the same key waits on its INSERT, then finds the committed row and replays it
(or, if the first failed and rolled back, does the write itself). One household, whatever the timing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from encrypted_fields.fields import EncryptedTextField


class IdempotencyKey(models.Model):
    """One caller's key and the answer its first request got (encrypted: it may hold personal data)."""

    caller = models.CharField(max_length=200, help_text="who used the key: user:<id>:<username> or client:<id>")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="keyed hash of the method, path and body")
    response_status = models.PositiveSmallIntegerField(null=True)
    # The answer as JSON text, encrypted as one value (the library's JSON field encrypts every leaf
    # apart and reads them all back as strings).
    response_json = EncryptedTextField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "registry"
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="registry_idempotency_key_per_caller")]

    def __str__(self):
        return f"{self.caller} {self.key}"


class KeyReused(Exception):
    """The key was used with another request (method, path or body)."""


def request_fingerprint(*, method: str, path: str, body) -> str:
    """A keyed hash (the blind index key: a body holds personal numbers) of the request, the body as
    JSON with sorted keys (the same body in another key order or spacing is the same request)."""
    message = json.dumps([method.upper(), path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), f"idempotency:{message}".encode(), hashlib.sha256).hexdigest()


def idempotency_key_claim(*, caller: str, key: str, fingerprint: str) -> IdempotencyKey:
    """Within the caller's transaction: the key's row, new (response_status None: do the write and
    `idempotency_key_store` its answer) or the one of an earlier request (replay it). Raises KeyReused
    for a different request. Waits while another transaction holds the same key."""
    now = timezone.now()
    IdempotencyKey.objects.filter(caller=caller, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                caller=caller, key=key, fingerprint=fingerprint,
                expires_at=now + timedelta(hours=settings.REGISTRY_IDEMPOTENCY_KEY_HOURS))
    except IntegrityError:
        pass
    earlier = IdempotencyKey.objects.get(caller=caller, key=key)
    if not hmac.compare_digest(earlier.fingerprint, fingerprint):
        raise KeyReused()
    return earlier


def idempotency_key_store(*, record: IdempotencyKey, status: int, body: bytes) -> None:
    """Keep the answer (its JSON as the API rendered it) for the retries."""
    record.response_status, record.response_json = status, body.decode()
    record.save(update_fields=["response_status", "response_json"])


def idempotency_key_answer(record: IdempotencyKey):
    return json.loads(record.response_json)


def idempotency_keys_prune() -> int:
    """Forget the expired keys; answer how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
