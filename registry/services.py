import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from dsrs.events.outbox import buffered as outbox_buffered
from dsrs.personal_data import blind_index

from . import events
from .models import Household, canonical_number

UPDATABLE_FIELDS = ("head_of_household_name", "address", "region_code", "household_size", "monthly_income",
                    "pmt_score", "status", "head_philsys_number", "phone_number", "payout_account")
_INDEXES = {"head_philsys_number": "head_philsys_index", "phone_number": "phone_index",
            "payout_account": "payout_account_index"}


def _index_personal_data(household: Household) -> list[str]:
    """Store each sensitive number in its one spelling and refresh its blind index; answer the fields."""
    for field, index in _INDEXES.items():
        value = canonical_number(field, getattr(household, field))
        setattr(household, field, value)
        setattr(household, index, blind_index(value, purpose=field))
    return [*_INDEXES, *_INDEXES.values()]


def _household_number(household_id: uuid.UUID) -> str:
    return f"HH-{household_id.hex[:12].upper()}"


@transaction.atomic
def household_register(
    *,
    head_of_household_name: str,
    address: str,
    region_code: str,
    household_size: int,
    monthly_income: Decimal,
    pmt_score: Decimal,
    head_philsys_number: str = "",
    phone_number: str = "",
    payout_account: str = "",
    reason: str = "registered",
) -> Household:
    household = Household(
        head_of_household_name=head_of_household_name,
        address=address,
        region_code=region_code,
        household_size=household_size,
        monthly_income=monthly_income,
        pmt_score=pmt_score,
        head_philsys_number=head_philsys_number,
        phone_number=phone_number,
        payout_account=payout_account,
    )
    household.household_number = _household_number(household.id)
    _index_personal_data(household)
    household.full_clean()
    household._change_reason = reason
    household.save(force_insert=True)
    events.publish_household_registered(household)
    return household


@transaction.atomic
def households_register_many(*, households: list[dict], reason: str = "bulk registration") -> list[Household]:
    """Register many households in one transaction: one insert for them, one for their events."""
    created = []
    for fields in households:
        household = Household(**fields)
        household.household_number = _household_number(household.id)
        _index_personal_data(household)
        household.full_clean(validate_unique=False)
        created.append(household)
    bulk_create_with_history(created, Household, batch_size=1000, default_change_reason=reason)
    with outbox_buffered():
        for household in created:
            events.publish_household_registered(household)
    return created


@transaction.atomic
def household_update(*, household: Household, reason: str = "", **changes) -> Household:
    """Apply changes to a household; a real change bumps its version, is kept in its history with
    `reason`, and emits `updated`."""
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not updatable: {', '.join(sorted(unknown))}")
    household = Household.objects.select_for_update().get(pk=household.pk)
    changes = {name: canonical_number(name, value) if name in _INDEXES else value for name, value in changes.items()}
    changed = [name for name, value in changes.items() if getattr(household, name) != value]
    if not changed:
        return household
    for name in changed:
        setattr(household, name, changes[name])
    household.version += 1
    household._change_reason = reason
    household.full_clean()
    household.save(update_fields=list({*changed, *_index_personal_data(household), "version", "updated_at"}))
    events.publish_household_updated(household)
    return household


class UnreadableNumber(ValueError):
    """A sensitive number that no current or fallback key decrypts (the library then hands back ciphertext)."""


@transaction.atomic
def households_reencrypt(*, households: list[Household]) -> None:
    """Write each household's numbers again with the current key and refresh their blind indexes.

    Refuses the whole batch if a value does not read as a number: re-encrypting ciphertext that a
    retired key could have opened would lose it for good.
    """
    for household in households:
        for field in _INDEXES:
            try:
                Household._meta.get_field(field).run_validators(getattr(household, field) or "")
            except ValidationError:
                if getattr(household, field):
                    raise UnreadableNumber(f"household {household.pk}: {field} does not decrypt to a valid value; "
                                           "is a retired key missing from the fallbacks?") from None
        _index_personal_data(household)
    Household.objects.bulk_update(households, [*_INDEXES, *_INDEXES.values()])
