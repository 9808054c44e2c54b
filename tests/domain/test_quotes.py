"""Quote selection and shop pricing rules, without I/O."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.domain.carrier import DeliveryOption
from app.domain.quotes import (
    PricingRules,
    eligible,
    period_description,
    price_options,
    select,
    shop_price,
)


def opt(
    option_id: str, kind: str, price: str, days: tuple[int, int], cod: bool = True
) -> DeliveryOption:
    return DeliveryOption(
        option_id=option_id,
        delivery_type=kind,  # type: ignore[arg-type]
        tariff=option_id,
        price=Decimal(price),
        currency="RUB",
        days_min=days[0],
        days_max=days[1],
        partial_acceptance=True,
        cash_on_delivery=cod,
    )


COURIER = opt("courier", "courier", "349.00", (2, 4))
NEXT_DAY = opt("next", "next_day", "590.00", (1, 1), cod=False)
PVZ = opt("pvz", "pickup_point", "199.00", (3, 5))
ALL = [COURIER, NEXT_DAY, PVZ]


def test_cheapest_picks_lowest_shop_price_among_address_options() -> None:
    rules = PricingRules()
    chosen = select(price_options(eligible(ALL, "to_address", "prepaid"), rules, Decimal(1)), rules)
    assert chosen is not None
    assert chosen.option.option_id == "courier"


def test_fastest_picks_next_day() -> None:
    rules = PricingRules(strategy="fastest")
    chosen = select(price_options(eligible(ALL, "to_address", "prepaid"), rules, Decimal(1)), rules)
    assert chosen is not None
    assert chosen.option.option_id == "next"


def test_fixed_type_missing_gives_none() -> None:
    rules = PricingRules(strategy="fixed", fixed_delivery_type="next_day")
    fitting = eligible([COURIER], "to_address", "prepaid")
    assert select(price_options(fitting, rules, Decimal(1)), rules) is None


def test_cash_on_delivery_excludes_options_without_cod() -> None:
    assert [o.option_id for o in eligible(ALL, "to_address", "cash_on_delivery")] == ["courier"]


def test_pickup_destination_only_gets_pickup_options() -> None:
    assert [o.option_id for o in eligible(ALL, "to_pickup_point", "prepaid")] == ["pvz"]


def test_markup_then_rounding_up() -> None:
    rules = PricingRules(
        markup_percent=Decimal(10), markup_fixed=Decimal("15.50"), rounding="ceil_10"
    )
    # 349 * 1.10 + 15.50 = 399.40 -> 400
    assert shop_price(Decimal("349.00"), rules, Decimal(1000)) == Decimal("400.00")


def test_free_delivery_from_threshold_inclusive() -> None:
    rules = PricingRules(free_delivery_from=Decimal("5000.00"), markup_fixed=Decimal(100))
    assert shop_price(Decimal("349.00"), rules, Decimal("5000.00")) == Decimal("0.00")
    assert shop_price(Decimal("349.00"), rules, Decimal("4999.99")) == Decimal("449.00")


def test_price_never_negative_with_discount() -> None:
    rules = PricingRules(markup_fixed=Decimal("-500"))
    assert shop_price(Decimal("349.00"), rules, Decimal(1)) == Decimal("0.00")


@given(
    price=st.decimals(min_value=0, max_value=100_000, places=2),
    pct=st.decimals(min_value=0, max_value=300, places=2),
    fixed=st.decimals(min_value=0, max_value=1000, places=2),
    rounding=st.sampled_from(["none", "ceil_1", "ceil_10", "ceil_50"]),
)
def test_shop_price_is_kopeck_exact_and_not_below_markup(
    price: Decimal, pct: Decimal, fixed: Decimal, rounding: str
) -> None:
    rules = PricingRules(markup_percent=pct, markup_fixed=fixed, rounding=rounding)  # type: ignore[arg-type]
    result = shop_price(price, rules, Decimal(0))
    assert result == result.quantize(Decimal("0.01"))
    exact = price * (1 + pct / 100) + fixed
    assert result >= exact.quantize(Decimal("0.01")) - Decimal("0.005")
    if rounding == "ceil_10":
        assert result % 10 == 0


def test_period_description_is_russian_with_plural() -> None:
    assert period_description(COURIER) == "Ozon Rocket курьером, 2–4 дня"
    assert period_description(NEXT_DAY) == "Ozon Rocket на следующий день, 1 день"
    assert period_description(opt("x", "pickup_point", "1", (5, 7))).endswith("5–7 дней")
