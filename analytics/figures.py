"""The figures the API and the dashboard answer, computed from the read model's cell totals.

Counts are of households (households, assessments and enrolments count one per household and
program) or of payments (one per household, program and cycle). Amounts are integer centavos,
answered as decimal strings. A figure computed over fewer than ANALYTICS_MIN_CELL households is
withheld (None) for callers who may not see households.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from .facts import ENROLMENT_STATES, PAYMENT_STATES

HOUSEHOLD_MEASURES = ("households", "households_active")
ASSESSMENT_MEASURES = ("assessed_approved", "assessed_denied")
ENROLMENT_MEASURES = tuple(f"enrolment_{s}" for s in ENROLMENT_STATES)
PAYMENT_MEASURES = ("payments", *(f"payment_{s}" for s in PAYMENT_STATES))
MEASURES = (*HOUSEHOLD_MEASURES, *ASSESSMENT_MEASURES, *ENROLMENT_MEASURES, *PAYMENT_MEASURES)

# The KPIs a time series can follow: name -> (measures added up, answered as money?).
KPIS = {
    "households_registered": (("households",), False),
    "households_active": (("households_active",), False),
    "households_approved": (("assessed_approved",), False),
    "households_denied": (("assessed_denied",), False),
    **{s: ((f"enrolment_{s}",), False) for s in ENROLMENT_STATES},
    "payments_created": (("payments",), False),
    **{f"payments_{s}": ((f"payment_{s}",), False) for s in PAYMENT_STATES},
    "amount_paid": (("payment_paid",), True),
}

# The payment funnel: how many payments reached each step (a later state implies the earlier ones).
FUNNEL = (
    ("created", PAYMENT_STATES),
    ("approved", ("approved", "sent", "paid", "failed", "reversed")),
    ("sent", ("sent", "paid", "failed", "reversed")),
    ("paid", ("paid", "reversed")),
)


def money(centavos: int | None) -> str | None:
    return None if centavos is None else f"{Decimal(centavos) / 100:.2f}"


def ratio(numerator: int, denominator: int) -> str | None:
    if not denominator:
        return None
    return str((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN))


@dataclass
class Summary:
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)
    min_cell: int = 0  # 0: nothing is withheld

    def count(self, measure: str) -> int:
        return self.totals.get(measure, (0, 0))[0]

    def amount(self, measure: str) -> int:
        return self.totals.get(measure, (0, 0))[1]

    # The names the saga and older callers read.
    @property
    def approved(self) -> int:
        return self.count("assessed_approved")

    @property
    def denied(self) -> int:
        return self.count("assessed_denied")

    @property
    def assessed(self) -> int:
        return self.approved + self.denied

    @property
    def payments_scheduled(self) -> int:
        return self.count("payments")

    @property
    def payments_completed(self) -> int:
        return self.count("payment_paid")

    def _shown(self, count: int) -> int | None:
        """A count is withheld when it is over fewer than min_cell households (zero is shown)."""
        return None if 0 < count < self.min_cell else count

    def _rate(self, numerator: int, denominator: int) -> str | None:
        return None if self._shown(denominator) is None or self._shown(numerator) is None \
            else ratio(numerator, denominator)

    def as_dict(self) -> dict:
        shown, enrolled, paid = self._shown, self.count("enrolment_enrolled"), self.count("payment_paid")
        outcomes = paid + self.count("payment_failed") + self.count("payment_reversed")

        def amount_of(measure: str) -> str | None:
            return None if shown(self.count(measure)) is None else money(self.amount(measure))

        return {
            "households_registered": shown(self.count("households")),
            "households_active": shown(self.count("households_active")),
            "households_assessed": shown(self.assessed),
            "households_approved": shown(self.approved),
            "households_denied": shown(self.denied),
            **{f"households_{s}": shown(self.count(f"enrolment_{s}")) for s in ENROLMENT_STATES},
            "waitlist_length": shown(self.count("enrolment_waitlisted")),
            "coverage": self._rate(enrolled, self.approved),
            "payment_success_rate": self._rate(paid, outcomes),
            "payments_scheduled": shown(self.payments_scheduled),
            "payments_completed": shown(self.payments_completed),
            "amount_scheduled": amount_of("payments"),
            "amount_completed": amount_of("payment_paid"),
            "payments": {s: {"count": shown(self.count(f"payment_{s}")), "amount": amount_of(f"payment_{s}")}
                         for s in PAYMENT_STATES},
            "payment_funnel": {step: shown(sum(self.count(f"payment_{s}") for s in states))
                               for step, states in FUNNEL},
        }
