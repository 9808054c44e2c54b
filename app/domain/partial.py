"""Partial acceptance arithmetic: what the buyer keeps, what comes back, what is owed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from app.domain.money import ZERO, format_rub, money

PaymentMethod = Literal["prepaid", "cash_on_delivery"]


@dataclass(frozen=True)
class LineOutcome:
    """One order line and what the buyer did with it."""

    basket_item_id: int
    sku: str
    name: str
    quantity: int
    price: Decimal  # per unit, what the buyer pays
    accepted: int
    returned: int

    @property
    def accepted_total(self) -> Decimal:
        return money(self.price * self.accepted)

    @property
    def returned_total(self) -> Decimal:
        return money(self.price * self.returned)


@dataclass(frozen=True)
class Settlement:
    """The result of a delivery in money: never negative, never more refunded than was paid."""

    lines: tuple[LineOutcome, ...]
    goods_before: Decimal
    goods_after: Decimal
    delivery_before: Decimal
    delivery_after: Decimal
    payment_method: PaymentMethod
    paid: Decimal
    refund_due: Decimal  # prepaid: what goes back to the buyer
    expected_cash: Decimal  # cash on delivery: what the courier should have taken
    cod_collected: Decimal | None
    anomalies: tuple[str, ...] = field(default=())  # stop automation: a manager decides
    warnings: tuple[str, ...] = field(default=())  # told to the manager; automation goes on

    @property
    def total_before(self) -> Decimal:
        return self.goods_before + self.delivery_before

    @property
    def total_after(self) -> Decimal:
        return self.goods_after + self.delivery_after

    @property
    def cod_difference(self) -> Decimal | None:
        """Collected minus expected; a non-zero difference is for a manager to look at."""
        if self.payment_method != "cash_on_delivery" or self.cod_collected is None:
            return None
        return money(self.cod_collected - self.expected_cash)

    @property
    def fully_refused(self) -> bool:
        return all(line.accepted == 0 for line in self.lines)

    @property
    def automatic(self) -> bool:
        """Anomalies stop automation: a manager decides."""
        return not self.anomalies


def line_anomalies(lines: Sequence[LineOutcome], *, partial_allowed: bool) -> list[str]:
    problems: list[str] = []
    for line in lines:
        if line.accepted < 0 or line.returned < 0:
            problems.append(f"{line.sku}: negative quantities from Ozon")
        elif line.accepted + line.returned != line.quantity:
            problems.append(
                f"{line.sku}: accepted {line.accepted} + returned {line.returned} "
                f"≠ shipped {line.quantity}"
            )
    accepted_any = any(line.accepted > 0 for line in lines)
    returned_any = any(line.returned > 0 for line in lines)
    if not partial_allowed and accepted_any and returned_any:
        problems.append("partial acceptance reported, but it was not allowed for this shipment")
    return problems


def settle(
    lines: Sequence[LineOutcome],
    *,
    delivery_price: Decimal,
    refund_delivery_on_partial: bool,
    payment_method: PaymentMethod,
    paid: Decimal,
    cod_collected: Decimal | None,
    partial_allowed: bool,
) -> Settlement:
    """New totals and the refund (prepaid) or the expected cash (cash on delivery).

    A full refusal owes nothing, delivery included: everything paid goes back.
    """
    anomalies = line_anomalies(lines, partial_allowed=partial_allowed)
    goods_before = money(sum((money(line.price * line.quantity) for line in lines), ZERO))
    goods_after = money(sum((line.accepted_total for line in lines), ZERO))
    nothing_kept = goods_after == ZERO and all(line.accepted == 0 for line in lines)
    delivery_before = money(delivery_price)
    keep_delivery = not nothing_kept and not (
        refund_delivery_on_partial and goods_after < goods_before
    )
    delivery_after = delivery_before if keep_delivery else ZERO
    total_after = goods_after + delivery_after
    paid = money(paid)
    refund_due = ZERO
    expected_cash = ZERO
    warnings: list[str] = []
    if payment_method == "prepaid":
        refund_due = min(max(paid - total_after, ZERO), paid)
    else:
        expected_cash = max(total_after - paid, ZERO)
        if cod_collected is not None and money(cod_collected) != expected_cash:
            warnings.append(
                f"courier collected {format_rub(cod_collected)}, "
                f"expected {format_rub(expected_cash)}"
            )
    return Settlement(
        lines=tuple(lines),
        goods_before=goods_before,
        goods_after=goods_after,
        delivery_before=delivery_before,
        delivery_after=delivery_after,
        payment_method=payment_method,
        paid=paid,
        refund_due=money(refund_due),
        expected_cash=money(expected_cash),
        cod_collected=money(cod_collected) if cod_collected is not None else None,
        anomalies=tuple(anomalies),
        warnings=tuple(warnings),
    )


def manager_comment(settlement: Settlement, *, ozon_order_id: str, bitrix_order_id: int) -> str:
    """The order comment a manager reads at a glance, in Russian."""
    lines = settlement.lines
    kept = [line for line in lines if line.accepted > 0]
    back = [line for line in lines if line.returned > 0]
    if settlement.fully_refused:
        head = (
            f"Ozon Rocket: покупатель отказался от заказа полностью (заказ Ozon {ozon_order_id})."
        )
    else:
        accepted = sum(line.accepted for line in lines)
        shipped = sum(line.quantity for line in lines)
        head = (
            f"Ozon Rocket: частичный выкуп — выкуплено {accepted} из {shipped} шт. "
            f"(заказ Ozon {ozon_order_id})."
        )
    parts = [head]
    if kept:
        parts.append(
            "Выкуплено: "
            + "; ".join(f"{x.name} × {x.accepted} — {format_rub(x.accepted_total)}" for x in kept)
            + "."
        )
    if back:
        parts.append(
            "Возвращается: "
            + "; ".join(f"{x.name} × {x.returned} — {format_rub(x.returned_total)}" for x in back)
            + "."
        )
    parts.append(
        f"Сумма заказа: было {format_rub(settlement.total_before)}, "
        f"стало {format_rub(settlement.total_after)} "
        f"(доставка {format_rub(settlement.delivery_after)})."
    )
    if settlement.payment_method == "prepaid" and settlement.refund_due > ZERO:
        parts.append(
            f"К возврату покупателю: {format_rub(settlement.refund_due)} "
            f"по заказу {bitrix_order_id}."
        )
    if settlement.cod_difference not in (None, ZERO):
        parts.append(
            f"Наложенный платёж: получено {format_rub(settlement.cod_collected or ZERO)}, "
            f"ожидалось {format_rub(settlement.expected_cash)} — проверьте."
        )
    if settlement.anomalies:
        parts.append(
            "Автоматическая обработка остановлена, требуется менеджер: "
            + "; ".join(settlement.anomalies)
            + "."
        )
    return " ".join(parts)
