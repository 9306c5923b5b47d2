"""Writing the audit trail: what apps call when they show or change personal data."""

from collections.abc import Iterable

from dsrs.access import caller_of, client_address
from dsrs.observability import get_correlation_id
from dsrs.prepared import insert

from .models import AuditRecord


def _actor(request) -> str:
    return caller_of(request).name


def audit_record_create(*, request, action: str, object_type: str, object_ids: Iterable, fields: Iterable[str] = (),
                        channel: str = "api", reason: str = "") -> AuditRecord:
    """Record that the caller of `request` did `action` on the records `object_ids` of `object_type`.
    (One INSERT, its SQL built once per connection: dsrs.prepared.insert.)"""
    meta = getattr(request, "META", {})
    return insert(AuditRecord(
        actor=_actor(request),
        action=action,
        object_type=object_type,
        object_ids=[str(i) for i in object_ids],
        fields=sorted(fields),
        reason=reason[:500],
        channel=channel,
        ip_address=client_address(request) if meta else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        method=getattr(request, "method", "") or "",
        path=(getattr(request, "path", "") or "")[:300],
        correlation_id=get_correlation_id() or "",
    ))
