"""Money: Decimal roubles quantised to the kopeck, half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """Quantise to kopecks. Floats are refused: they are how kopecks get lost."""
    if isinstance(value, float):
        raise TypeError("money must not be built from float")
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def format_rub(amount: Decimal) -> str:
    """'1 490.00 RUB': how amounts read in comments for managers."""
    whole, _, frac = f"{money(amount):.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{' '.join(groups)}.{frac} RUB"
