"""What the registry publishes. Contracts: dsrs/events/contracts/registry.household.*.v1.json.

Events carry the facts other contexts decide on, never the names or addresses of people.
"""

from dsrs.events import publish

from .models import Household

HOUSEHOLD_REGISTERED = "registry.household.registered"
HOUSEHOLD_UPDATED = "registry.household.updated"


def household_facts(household: Household) -> dict:
    return {
        "household_id": str(household.id),
        "household_number": household.household_number,
        "version": household.version,
        "status": household.status,
        "region_code": household.region_code,
        "household_size": household.household_size,
        "monthly_income": f"{household.monthly_income:.2f}",
        "pmt_score": float(household.pmt_score),
    }


def publish_household_registered(household: Household) -> None:
    publish(HOUSEHOLD_REGISTERED, subject=str(household.id), data=household_facts(household))


def publish_household_updated(household: Household) -> None:
    publish(HOUSEHOLD_UPDATED, subject=str(household.id), data=household_facts(household))
