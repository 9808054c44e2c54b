"""Shipments held by the emulator and the contract's status machine with its item outcomes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.domain.money import ZERO, money
from app.sandbox.ozon_rocket.errors import Details, SandboxError, validation_error
from app.sandbox.ozon_rocket.schemas import OrderIn, OrderStatus

# The contract's table, read as "from -> may go to".
TRANSITIONS: dict[str, frozenset[OrderStatus]] = {
    "created": frozenset({"in_transit", "cancelled"}),
    "in_transit": frozenset({"arrived"}),
    "arrived": frozenset({"delivered", "partial_delivered", "returned"}),
    "partial_delivered": frozenset({"returned"}),
}
FINAL_STATUSES: frozenset[str] = frozenset({"delivered", "returned", "cancelled"})
# Statuses at which per-item accepted/returned quantities exist.
OUTCOME_STATUSES: frozenset[str] = frozenset({"delivered", "partial_delivered", "returned"})


@dataclass(slots=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    price: Decimal
    declared_price: Decimal
    accepted_quantity: int | None = None
    returned_quantity: int | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: OrderStatus
    previous_status: OrderStatus | None
    at: datetime


@dataclass(slots=True)
class Order:
    order_id: str
    seller_id: str
    seller_order_number: str
    tracking_number: str
    request: OrderIn
    partial_acceptance: bool
    lines: list[OrderLine]
    history: list[StatusChange]
    cod_collected: Decimal = field(default=ZERO)

    @property
    def status(self) -> OrderStatus:
        return self.history[-1].status

    @property
    def created_at(self) -> datetime:
        return self.history[0].at

    @property
    def updated_at(self) -> datetime:
        return self.history[-1].at

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class OrderBook:
    """All orders of all sellers, with the seeded ids and numbers the real service would mint."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"{seed}:orders")
        self._orders: dict[str, Order] = {}
        self._by_number: dict[tuple[str, str], str] = {}
        self._tracking_numbers: set[str] = set()

    def __len__(self) -> int:
        return len(self._orders)

    def all(self) -> list[Order]:
        return list(self._orders.values())

    def get(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def of_seller(self, seller_id: str, order_id: str) -> Order:
        """The order if this seller owns it; another seller's order is 404 like a missing one."""
        order = self._orders.get(order_id)
        if order is None or order.seller_id != seller_id:
            raise SandboxError(404, "ORDER_NOT_FOUND", f"Order {order_id} not found")
        return order

    def by_number(self, seller_id: str, seller_order_number: str) -> Order | None:
        order_id = self._by_number.get((seller_id, seller_order_number))
        return self._orders[order_id] if order_id else None

    def add(
        self, seller_id: str, request: OrderIn, *, partial_acceptance: bool, now: datetime
    ) -> Order:
        order = Order(
            order_id=self._new_order_id(),
            seller_id=seller_id,
            seller_order_number=request.seller_order_number,
            tracking_number=self._new_tracking_number(),
            request=request,
            partial_acceptance=partial_acceptance,
            lines=[
                OrderLine(item.sku, item.name, item.quantity, item.price, item.declared_price)
                for item in request.items
            ],
            history=[StatusChange("created", None, now)],
        )
        self._orders[order.order_id] = order
        self._by_number[(seller_id, order.seller_order_number)] = order.order_id
        return order

    def _new_order_id(self) -> str:
        while True:
            order_id = f"RKT-{self._rng.getrandbits(24):06X}"
            if order_id not in self._orders:
                return order_id

    def _new_tracking_number(self) -> str:
        while True:
            number = f"OZR{self._rng.randrange(10**9):09d}RU"
            if number not in self._tracking_numbers:
                self._tracking_numbers.add(number)
                return number


def advance(
    order: Order,
    status: OrderStatus,
    now: datetime,
    *,
    accepted: Sequence[tuple[str, int]] | None = None,
    cod_collected: Decimal | None = None,
) -> StatusChange:
    """Move an order one step along the status table, settling item outcomes and cash.

    Defaults: `delivered` accepts everything; `partial_delivered` accepts all but one unit of
    the last line (items not named in `accepted` are taken in full); `returned` straight from
    `arrived` accepts nothing; `returned` after `partial_delivered` keeps what was accepted.
    """
    previous = order.status
    if status not in TRANSITIONS.get(previous, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(previous, frozenset()))) or "nothing (final)"
        raise SandboxError(
            409,
            "INVALID_TRANSITION",
            f"An order in {previous} cannot move to {status}; it may move to: {allowed}",
        )
    if accepted is not None and status != "partial_delivered":
        raise validation_error({"items": ["accepted quantities apply to partial_delivered only"]})
    if cod_collected is not None and status not in ("delivered", "partial_delivered"):
        raise validation_error({"cod_collected": ["applies to delivered and partial_delivered"]})

    if status == "delivered":
        _settle(order, {line.sku: line.quantity for line in order.lines})
    elif status == "partial_delivered":
        if not order.partial_acceptance:
            raise SandboxError(
                409,
                "PARTIAL_ACCEPTANCE_NOT_ALLOWED",
                "This order does not allow partial acceptance (not asked for, or a locker)",
            )
        _settle(order, _partial_quantities(order, accepted))
    elif status == "returned" and previous == "arrived":
        _settle(order, {line.sku: 0 for line in order.lines})

    if status in ("delivered", "partial_delivered"):
        order.cod_collected = (
            money(cod_collected) if cod_collected is not None else _due_cash(order)
        )
    change = StatusChange(status, previous, now)
    order.history.append(change)
    return change


def _partial_quantities(order: Order, accepted: Sequence[tuple[str, int]] | None) -> dict[str, int]:
    quantities = {line.sku: line.quantity for line in order.lines}
    if accepted is None:
        last = order.lines[-1]
        quantities[last.sku] = last.quantity - 1
    else:
        details: Details = {}
        seen: set[str] = set()
        for index, (sku, accepted_quantity) in enumerate(accepted):
            if sku not in quantities:
                details[f"items[{index}].sku"] = ["no such sku in the order"]
            elif sku in seen:
                details[f"items[{index}].sku"] = ["listed twice"]
            elif not 0 <= accepted_quantity <= quantities[sku]:
                details[f"items[{index}].accepted_quantity"] = [
                    f"must be between 0 and {quantities[sku]}"
                ]
            else:
                quantities[sku] = accepted_quantity
            seen.add(sku)
        if details:
            raise validation_error(details)
    total_accepted = sum(quantities.values())
    if not 0 < total_accepted < sum(line.quantity for line in order.lines):
        raise validation_error({"items": ["a partial delivery accepts some units, but not all"]})
    return quantities


def _settle(order: Order, accepted: dict[str, int]) -> None:
    for line in order.lines:
        line.accepted_quantity = accepted[line.sku]
        line.returned_quantity = line.quantity - accepted[line.sku]


def _due_cash(order: Order) -> Decimal:
    """What a courier or point collects: the price of the accepted items, for COD orders only."""
    if order.request.payment_method != "cash_on_delivery":
        return ZERO
    return money(sum((line.price * (line.accepted_quantity or 0) for line in order.lines), ZERO))
