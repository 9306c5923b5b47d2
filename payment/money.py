"""Money in payment: integer centavos everywhere (database, events, files); one rounding rule.

The rule: an amount given in pesos (a formula typed by an officer, a provider's file) is turned into
centavos once, at the boundary, rounding half up to the centavo (ROUND_HALF_UP). From then on every
amount is an `int` of centavos and only ever added or multiplied by whole counts (members, months), so
nothing is rounded a second time and totals add up to the centavo. Floats are refused.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENTAVOS_PER_PESO = 100


def to_centavos(amount) -> int:
    """Pesos (a Decimal, a str or an int) to integer centavos, half up. A float is refused."""
    if isinstance(amount, float):
        raise TypeError("money is never a float: give a Decimal or a string")
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return int((value * CENTAVOS_PER_PESO).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def exact_centavos(amount: str) -> int:
    """Pesos written with at most two decimals (a file's amount), to centavos; anything else is refused."""
    value = Decimal(amount.strip())
    if value.as_tuple().exponent < -2:
        raise ValueError(f"{amount!r} has more than two decimals")
    return int(value * CENTAVOS_PER_PESO)


def pesos(centavos: int) -> str:
    """Centavos as pesos with two decimals, exactly: 150075 -> '1500.75'."""
    sign = "-" if centavos < 0 else ""
    whole, cents = divmod(abs(int(centavos)), CENTAVOS_PER_PESO)
    return f"{sign}{whole}.{cents:02d}"
