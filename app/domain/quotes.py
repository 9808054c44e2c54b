"""Quote selection: which carrier option a checkout gets, and at what price to the buyer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from app.domain.carrier import DeliveryOption, DeliveryType, Destination, PaymentMethod
from app.domain.money import ZERO, money

Strategy = Literal["cheapest", "fastest", "fixed"]
Rounding = Literal["none", "ceil_1", "ceil_10", "ceil_50"]

_ROUNDING_STEP: dict[Rounding, Decimal | None] = {
    "none": None,
    "ceil_1": Decimal(1),
    "ceil_10": Decimal(10),
    "ceil_50": Decimal(50),
}

# Which carrier option types can serve what the checkout asked for.
_SERVES: dict[Destination, frozenset[DeliveryType]] = {
    "to_address": frozenset({"courier", "next_day"}),
    "to_pickup_point": frozenset({"pickup_point"}),
}


@dataclass(frozen=True)
class PricingRules:
    strategy: Strategy = "cheapest"
    fixed_delivery_type: DeliveryType | None = None
    markup_percent: Decimal = ZERO
    markup_fixed: Decimal = ZERO
    free_delivery_from: Decimal | None = None
    rounding: Rounding = "none"


@dataclass(frozen=True)
class PricedOption:
    option: DeliveryOption
    carrier_price: Decimal
    price: Decimal  # what the buyer pays, after the shop's rules


def shop_price(carrier_price: Decimal, rules: PricingRules, declared_value: Decimal) -> Decimal:
    """Markup, then free delivery, then rounding up to the shop's step; never negative."""
    if rules.free_delivery_from is not None and declared_value >= rules.free_delivery_from:
        return ZERO
    price = carrier_price * (1 + rules.markup_percent / 100) + rules.markup_fixed
    step = _ROUNDING_STEP[rules.rounding]
    if step is not None:
        price = (price / step).to_integral_value(rounding=ROUND_CEILING) * step
    return max(money(price), ZERO)


def eligible(
    options: list[DeliveryOption] | tuple[DeliveryOption, ...],
    destination: Destination,
    payment_method: PaymentMethod,
) -> list[DeliveryOption]:
    """Options that serve the destination and, for cash on delivery, can take the cash."""
    return [
        o
        for o in options
        if o.delivery_type in _SERVES[destination]
        and (payment_method != "cash_on_delivery" or o.cash_on_delivery)
    ]


def price_options(
    options: list[DeliveryOption], rules: PricingRules, declared_value: Decimal
) -> list[PricedOption]:
    return [
        PricedOption(
            option=o, carrier_price=o.price, price=shop_price(o.price, rules, declared_value)
        )
        for o in options
    ]


def select(priced: list[PricedOption], rules: PricingRules) -> PricedOption | None:
    """The option the checkout shows; None when nothing fits (no delivery there)."""
    candidates = priced
    if rules.strategy == "fixed":
        candidates = [p for p in priced if p.option.delivery_type == rules.fixed_delivery_type]
    if not candidates:
        return None
    if rules.strategy == "fastest":
        return min(candidates, key=lambda p: (p.option.days_max, p.option.days_min, p.price))
    # cheapest, and the cheapest of a fixed type; ties go to the faster option
    return min(candidates, key=lambda p: (p.price, p.option.days_max, p.option.days_min))


_TYPE_LABEL_RU: dict[DeliveryType, str] = {
    "courier": "курьером",
    "pickup_point": "в пункт выдачи",
    "next_day": "на следующий день",
}


def _days_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "день"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "дня"
    return "дней"


def period_description(option: DeliveryOption) -> str:
    """'Ozon Rocket курьером, 2–4 дня': the line a Russian checkout shows under the price."""
    days = (
        f"{option.days_max}"
        if option.days_min == option.days_max
        else f"{option.days_min}–{option.days_max}"
    )
    return f"Ozon Rocket {_TYPE_LABEL_RU[option.delivery_type]}, {days} {_days_ru(option.days_max)}"
