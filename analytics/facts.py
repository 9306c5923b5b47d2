"""The facts the read model keeps, as they are read from events (plain data, no storage)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

LEVELS_BELOW_REGION = ("province_code", "municipality_code", "barangay_code")


def centavos(amount: str) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


@dataclass(frozen=True)
class AssessmentFact:
    household_id: str
    household_version: int
    program_code: str
    decision: str
    region_code: str
    province_code: str
    municipality_code: str
    barangay_code: str
    assessed_at: datetime


@dataclass(frozen=True)
class PaymentFact:
    payment_id: str
    household_id: str
    program_code: str
    cycle: str
    amount_centavos: int
    currency: str
    region_code: str
    province_code: str
    municipality_code: str
    barangay_code: str
    scheduled_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass
class Summary:
    assessed: int = 0
    approved: int = 0
    denied: int = 0
    payments_scheduled: int = 0
    payments_completed: int = 0
    amount_scheduled_centavos: int = 0
    amount_completed_centavos: int = 0

    def add_decisions(self, decision: str, count: int) -> None:
        self.assessed += count
        if decision == "approved":
            self.approved += count
        elif decision == "denied":
            self.denied += count

    def add_payments(self, status: str, count: int, amount_centavos: int) -> None:
        """Every payment was scheduled once; those completed are counted again as completed."""
        self.payments_scheduled += count
        self.amount_scheduled_centavos += amount_centavos
        if status == "completed":
            self.payments_completed += count
            self.amount_completed_centavos += amount_centavos

    def as_dict(self) -> dict:
        return {
            "households_assessed": self.assessed,
            "households_approved": self.approved,
            "households_denied": self.denied,
            "payments_scheduled": self.payments_scheduled,
            "payments_completed": self.payments_completed,
            "amount_scheduled": f"{Decimal(self.amount_scheduled_centavos) / 100:.2f}",
            "amount_completed": f"{Decimal(self.amount_completed_centavos) / 100:.2f}",
        }
