"""Partial acceptance arithmetic: conservation, kopeck-exact totals, refunds within [0, paid]."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.domain.partial import LineOutcome, manager_comment, settle

KOPECK = Decimal("0.01")


def line(sku: str, qty: int, price: str, accepted: int, returned: int | None = None) -> LineOutcome:
    return LineOutcome(
        basket_item_id=hash(sku) % 1000,
        sku=sku,
        name={"A-100": "Кружка", "B-200": "Чайник"}.get(sku, sku),
        quantity=qty,
        price=Decimal(price),
        accepted=accepted,
        returned=qty - accepted if returned is None else returned,
    )


def test_contract_example_prepaid_partial() -> None:
    """2 mugs at 500 and a kettle at 3990, delivery 349.90; one mug refused, delivery kept."""
    s = settle(
        [line("A-100", 2, "500.00", 1), line("B-200", 1, "3990.00", 1)],
        delivery_price=Decimal("349.90"),
        refund_delivery_on_partial=False,
        payment_method="prepaid",
        paid=Decimal("5339.90"),
        cod_collected=None,
        partial_allowed=True,
    )
    assert s.goods_after == Decimal("4490.00")
    assert s.total_after == Decimal("4839.90")
    assert s.refund_due == Decimal("500.00")
    assert s.automatic


def test_refund_delivery_on_partial_when_configured() -> None:
    s = settle(
        [line("A-100", 2, "500.00", 1)],
        delivery_price=Decimal("349.90"),
        refund_delivery_on_partial=True,
        payment_method="prepaid",
        paid=Decimal("1349.90"),
        cod_collected=None,
        partial_allowed=True,
    )
    assert s.delivery_after == Decimal("0.00")
    assert s.refund_due == Decimal("849.90")


def test_full_refusal_refunds_everything_paid() -> None:
    s = settle(
        [line("A-100", 2, "500.00", 0), line("B-200", 1, "3990.00", 0)],
        delivery_price=Decimal("349.90"),
        refund_delivery_on_partial=False,
        payment_method="prepaid",
        paid=Decimal("5339.90"),
        cod_collected=None,
        partial_allowed=True,
    )
    assert s.fully_refused
    assert s.total_after == Decimal("0.00")
    assert s.refund_due == Decimal("5339.90")
    assert s.automatic  # refusing everything is allowed even without partial acceptance


def test_cod_difference_is_flagged() -> None:
    s = settle(
        [line("A-100", 2, "500.00", 1)],
        delivery_price=Decimal("300.00"),
        refund_delivery_on_partial=False,
        payment_method="cash_on_delivery",
        paid=Decimal("0"),
        cod_collected=Decimal("700.00"),
        partial_allowed=True,
    )
    assert s.expected_cash == Decimal("800.00")
    assert s.cod_difference == Decimal("-100.00")
    assert s.warnings  # flagged for the manager ...
    assert s.automatic  # ... while the basket is still corrected


def test_quantities_that_do_not_add_up_are_an_anomaly() -> None:
    s = settle(
        [line("A-100", 2, "500.00", 1, returned=0)],
        delivery_price=Decimal("0"),
        refund_delivery_on_partial=False,
        payment_method="prepaid",
        paid=Decimal("1000"),
        cod_collected=None,
        partial_allowed=True,
    )
    assert not s.automatic
    assert "A-100" in s.anomalies[0]


def test_partial_when_not_allowed_is_an_anomaly() -> None:
    s = settle(
        [line("A-100", 2, "500.00", 1)],
        delivery_price=Decimal("0"),
        refund_delivery_on_partial=False,
        payment_method="prepaid",
        paid=Decimal("1000"),
        cod_collected=None,
        partial_allowed=False,
    )
    assert not s.automatic


def test_manager_comment_reads_in_russian_with_amounts() -> None:
    s = settle(
        [line("A-100", 2, "500.00", 1), line("B-200", 1, "3990.00", 1)],
        delivery_price=Decimal("349.90"),
        refund_delivery_on_partial=False,
        payment_method="prepaid",
        paid=Decimal("5339.90"),
        cod_collected=None,
        partial_allowed=True,
    )
    text = manager_comment(s, ozon_order_id="RKT-4F2A9C", bitrix_order_id=10452)
    assert "выкуплено 2 из 3 шт." in text
    assert "Кружка × 1 — 500.00 RUB" in text
    assert "К возврату покупателю: 500.00 RUB по заказу 10452" in text
    assert "4 839.90 RUB" in text


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@st.composite
def orders(draw: st.DrawFn) -> list[LineOutcome]:
    n = draw(st.integers(min_value=1, max_value=6))
    result = []
    for i in range(n):
        qty = draw(st.integers(min_value=1, max_value=20))
        accepted = draw(st.integers(min_value=0, max_value=qty))
        result.append(
            LineOutcome(i, f"S{i}", f"item {i}", qty, draw(prices), accepted, qty - accepted)
        )
    return result


@given(
    lines=orders(),
    delivery=st.decimals(min_value=0, max_value=Decimal("5000"), places=2),
    refund_delivery=st.booleans(),
    paid_share=st.decimals(min_value=0, max_value=Decimal("1.5"), places=3),
)
def test_prepaid_properties(
    lines: list[LineOutcome], delivery: Decimal, refund_delivery: bool, paid_share: Decimal
) -> None:
    goods = sum((ln.price * ln.quantity for ln in lines), Decimal(0))
    paid = ((goods + delivery) * paid_share).quantize(KOPECK)
    s = settle(
        lines,
        delivery_price=delivery,
        refund_delivery_on_partial=refund_delivery,
        payment_method="prepaid",
        paid=paid,
        cod_collected=None,
        partial_allowed=True,
    )
    # conservation: every unit is either kept or comes back, and money follows units
    for ln in s.lines:
        assert ln.accepted + ln.returned == ln.quantity
    assert s.goods_after + sum((ln.returned_total for ln in s.lines), Decimal(0)) == s.goods_before
    # kopeck-exact
    for amount in (s.goods_after, s.total_after, s.refund_due):
        assert amount == amount.quantize(KOPECK)
    # refund within [0, paid], and exactly what was overpaid
    assert Decimal(0) <= s.refund_due <= s.paid
    assert s.refund_due == min(max(s.paid - s.total_after, Decimal(0)), s.paid)
    assert s.automatic
    if s.fully_refused:
        assert s.refund_due == s.paid


@given(lines=orders(), delivery=st.decimals(min_value=0, max_value=Decimal("5000"), places=2))
def test_cod_expected_cash_is_the_new_total(lines: list[LineOutcome], delivery: Decimal) -> None:
    s = settle(
        lines,
        delivery_price=delivery,
        refund_delivery_on_partial=False,
        payment_method="cash_on_delivery",
        paid=Decimal(0),
        cod_collected=None,
        partial_allowed=True,
    )
    assert s.expected_cash == s.total_after
    assert s.refund_due == Decimal("0.00")
