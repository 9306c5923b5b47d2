"""Integer centavos end to end; one rounding rule; totals exact over 100,000 rows."""

import random
import uuid
from datetime import date
from decimal import Decimal

import pytest

from payment import formulas
from payment.money import pesos, to_centavos
from payment.providers import DisbursementRow, provider_for

FORMULA = {"version": 1, "base_centavos": 75000, "household_cap_centavos": 180000, "components": [
    {"code": "education", "amount_centavos": 30033, "max_members": 3, "relationships": ["child"], "min_age": 3,
     "max_age": 18, "attending_school": True, "is_pregnant": None, "has_disability": None}]}


def test_the_one_rounding_rule_is_half_up_to_the_centavo_and_floats_are_refused():
    assert [to_centavos(v) for v in ("750", "750.005", "750.004", Decimal("0.015"), 3)] == [75000, 75001, 75000, 2, 300]
    with pytest.raises(TypeError):
        to_centavos(750.0)
    assert pesos(150075) == "1500.75" and pesos(5) == "0.05"


def test_ages_come_from_the_birth_month_and_the_caps_hold():
    child = {"relationship": "child", "age": 0, "birth_month": "2023-12", "attending_school": True}
    members = [child] * 5
    amount, breakdown = formulas.evaluate(FORMULA, members=members, on=date(2026, 11, 30), observed_on=date(2026, 1, 1),
                                          months=2)
    assert breakdown["components"][0]["qualifying"] == 0  # 2 years 11 months: not yet 3
    amount, breakdown = formulas.evaluate(FORMULA, members=members, on=date(2026, 12, 1), observed_on=date(2026, 1, 1),
                                          months=2)
    assert breakdown["components"][0]["paid_members"] == 3
    assert amount == 2 * min(75000 + 3 * 30033, 180000) == 2 * 165099


def test_amounts_are_exact_to_the_centavo_over_100000_rows_in_the_file():
    rng = random.Random(9)
    rows, expected = [], 0
    for number in range(1, 100001):
        members = [{"relationship": "child", "age": rng.randrange(1, 18), "birth_month": "",
                    "attending_school": rng.random() < 0.8} for _ in range(rng.randrange(0, 6))]
        amount, _ = formulas.evaluate(FORMULA, members=members, on=date(2026, 12, 1), observed_on=date(2026, 12, 1),
                                      months=1)
        expected += amount
        rows.append(DisbursementRow(line_number=number, reference=f"{uuid.uuid4().hex}-1", payee_identifier_type="VOUCHER",
                                    payee_identifier="x", amount_centavos=amount, currency="PHP", note="", program_code="4PS",
                                    cycle_code="4PS-2026-12", batch_id="b"))
    mifos = provider_for("mifos-csv")
    content = mifos.disbursement_file(rows=rows, payer_identifier="P", payee_dfsp_id="d")
    back = mifos.read_disbursement_file(content)
    assert sum(r.amount_centavos for r in back) == sum(r.amount_centavos for r in rows) == expected
    assert sum(Decimal(line.split(b",")[7].decode()) for line in content.splitlines()[1:]) * 100 == expected
