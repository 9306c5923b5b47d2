"""The threshold rule of the default program: plain data in, decision out."""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class ThresholdRule:
    program_code: str
    max_pmt_score: Decimal
    max_monthly_income: Decimal

    @classmethod
    def from_settings(cls) -> "ThresholdRule":
        return cls(
            program_code=settings.ELIGIBILITY_PROGRAM_CODE,
            max_pmt_score=Decimal(str(settings.ELIGIBILITY_MAX_PMT_SCORE)),
            max_monthly_income=Decimal(str(settings.ELIGIBILITY_MAX_MONTHLY_INCOME)),
        )

    def as_dict(self) -> dict:
        return {k: str(v) for k, v in asdict(self).items()}

    def evaluate(self, *, status: str, pmt_score: Decimal, monthly_income: Decimal) -> tuple[str, list[str]]:
        reasons = []
        if status != "active":
            reasons.append(f"household is {status}")
        if pmt_score > self.max_pmt_score:
            reasons.append(f"PMT score {pmt_score} is above {self.max_pmt_score}")
        if monthly_income > self.max_monthly_income:
            reasons.append(f"monthly income {monthly_income} is above {self.max_monthly_income}")
        return ("denied" if reasons else "approved"), reasons
