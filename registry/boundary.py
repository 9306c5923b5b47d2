"""What the registry answers synchronously, across the boundary (dsrs/boundaries.py), never on the broker."""

import dsrs.querying  # noqa: F401  (registers the any_of lookup used below: one array, not 10,000 parameters)
from dsrs.audit.models import AuditRecord
from dsrs.boundaries import provide
from dsrs.observability import get_correlation_id

from .models import Household


@provide("registry.payees")
def payees(*, household_ids: list, purpose: str, actor: str) -> dict[str, dict]:
    """How to pay each household: its payout account (ACCOUNTID) where it has one, else its phone
    (MSISDN), else nothing. The numbers are decrypted here for the caller's file only; the read is
    audited (field names, never values)."""
    answer = {}
    for household_id, account, phone in (Household.objects.filter(pk__any_of=household_ids)
                                         .values_list("pk", "payout_account", "phone_number").iterator(chunk_size=2000)):
        if account:
            answer[str(household_id)] = {"type": "ACCOUNTID", "identifier": account}
        elif phone:
            answer[str(household_id)] = {"type": "MSISDN", "identifier": phone}
    AuditRecord.objects.create(actor=actor or "system", action=AuditRecord.Action.EXPORT,
                               object_type="registry.household", object_ids=[str(h) for h in household_ids][:1000],
                               fields=["payout_account", "phone_number"], channel="boundary",
                               reason=f"{purpose} ({len(household_ids)} households)"[:500],
                               correlation_id=get_correlation_id() or "")
    return answer
