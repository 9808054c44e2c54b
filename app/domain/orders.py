"""Checks on an order before it goes to the carrier: what Ozon would refuse, said clearly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.money import format_rub, money


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    declared_price: Decimal


@dataclass(frozen=True)
class Problem:
    loc: tuple[str | int, ...]
    msg: str


def order_problems(lines: Sequence[Line], declared_value: Decimal) -> list[Problem]:
    """Unique SKUs, positive quantities, and Σ declared_price × quantity == declared_value."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, line in enumerate(lines):
        if line.sku in seen:
            problems.append(
                Problem(
                    ("items", index, "sku"), f"duplicates items[{seen[line.sku]}].sku {line.sku!r}"
                )
            )
        seen.setdefault(line.sku, index)
        if line.quantity <= 0:
            problems.append(Problem(("items", index, "quantity"), "must be a positive integer"))
    total = money(sum((line.declared_price * line.quantity for line in lines), Decimal(0)))
    if total != money(declared_value):
        problems.append(
            Problem(
                ("declared_value",),
                f"must equal the sum of items' declared_price × quantity: {format_rub(total)}, "
                f"not {format_rub(declared_value)}",
            )
        )
    return problems
