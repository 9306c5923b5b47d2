"""The audit rows payment's services write where a person acted (dsrs/audit; names of fields, never values)."""

from collections.abc import Iterable

from dsrs.audit.models import AuditRecord
from dsrs.observability import get_correlation_id

Action = AuditRecord.Action


def audit(*, actor: str, action: str, object_type: str, object_ids: Iterable, reason: str, channel: str,
          fields: Iterable[str] = ()) -> AuditRecord:
    return AuditRecord.objects.create(actor=actor or "system", action=action, object_type=object_type,
                                      object_ids=[str(i) for i in object_ids], fields=sorted(fields),
                                      reason=reason[:500], channel=channel, correlation_id=get_correlation_id() or "")
