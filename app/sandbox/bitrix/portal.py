"""One emulated shop (portal): options, limits, statuses and Bitrix's order arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.money import money
from app.sandbox.bitrix.bucket import LeakyBucket
from app.sandbox.bitrix.errors import ERR_OTHER, bad_request
from app.sandbox.bitrix.faults import Fault
from app.sandbox.bitrix.models import (
    BasketItem,
    Order,
    Payment,
    PaySystem,
    Shipment,
    ShipmentItem,
    Status,
    StatusLang,
)
from app.sandbox.bitrix.operating import OperatingLimiter

RefundOutcome = Literal["done", "inner_account", "manual"]


class PortalOptions(BaseModel):
    """How one emulated shop behaves; every field can be changed while it runs."""

    model_config = ConfigDict(extra="forbid")

    module_installed: bool = False
    burst: int = Field(default=50, ge=1)
    drain_per_second: float = Field(default=2.0, gt=0)
    # Off by default, as on on-premise shops; Bitrix's documented budget is 480 s per 10 min.
    operating_limit_enabled: bool = False
    operating_limit_seconds: float = Field(default=480.0, gt=0)
    operating_window_seconds: float = Field(default=600.0, gt=0)
    # What one call "costs" towards the operating limit; per-method overrides by lower-case name.
    method_cost_seconds: float = Field(default=0.02, ge=0)
    method_costs: dict[str, float] = Field(default_factory=dict)
    # False: the basket changes, the order price stays — to test "Bitrix did not recalculate".
    recalculate_on_basket_change: bool = True
    # True: shrinking a basket line held by a deducted shipment fails until the shipment item is
    # lowered (sale.shipmentitem.update) — the unverified Bitrix behaviour; False: items follow.
    strict_deducted_shipments: bool = False
    # What the module's refund achieves: moved by the pay system, credited to the buyer's inner
    # account, or left to a manager.
    refund_outcome: RefundOutcome = "done"
    # The order status the module sets when it leaves a refund to a manager; None leaves it.
    manual_refund_order_status: str | None = None


DEFAULT_STATUSES = (
    Status("N", "O", 100, color="#BEEDF1"),
    Status("P", "O", 200, color="#D8F6C9"),
    Status("F", "O", 300, color="#ACE3A1"),
    Status("DN", "D", 10, color="#D3DEE2"),
    Status("DD", "D", 20, color="#F4C7C3"),
    Status("DF", "D", 30, color="#C0E6C5"),
)
DEFAULT_STATUS_NAMES = {
    "N": ("Принят, ожидается оплата", "Accepted, awaiting payment"),
    "P": ("Оплачен, формируется к отправке", "Paid, preparing for shipment"),
    "F": ("Выполнен", "Completed"),
    "DN": ("Ожидает обработки", "Awaiting processing"),
    "DD": ("Отменена", "Cancelled"),
    "DF": ("Отгружена", "Shipped"),
}
DEFAULT_DELIVERY_SERVICES = {1: "Без доставки", 2: "Самовывоз", 3: "Курьер", 12: "Ozon Rocket"}
DEFAULT_PAY_SYSTEMS = (
    PaySystem(1, "Наличные курьеру", is_cash=True),
    PaySystem(2, "Банковская карта", is_cash=False),
    PaySystem(3, "Оплата при получении", is_cash=True),
    PaySystem(9, "Внутренний счёт", is_cash=False),
)
LANGUAGES = ("ru", "en", "de", "ua", "kz", "by", "pl", "fr", "es", "it", "tr")

# Distinct ranges so that a basket id passed where a shipment id belongs fails loudly.
ID_STARTS = {
    "order": 10_001,
    "basket": 20_001,
    "shipment": 30_001,
    "shipment_item": 40_001,
    "payment": 50_001,
    "property_value": 60_001,
    "order_prop": 1,
}


@dataclass
class Portal:
    id: int
    user_id: str
    secret: str
    options: PortalOptions
    bucket: LeakyBucket
    operating: OperatingLimiter
    orders: dict[int, Order] = field(default_factory=dict)
    statuses: dict[str, Status] = field(default_factory=dict)
    status_langs: list[StatusLang] = field(default_factory=list)
    delivery_services: dict[int, str] = field(default_factory=dict)
    pay_systems: dict[int, PaySystem] = field(default_factory=dict)
    order_props: dict[str, int] = field(default_factory=dict)
    # ozonrocket.partial.apply answers by operationId: the same id again gets the first answer.
    module_operations: dict[str, dict[str, object]] = field(default_factory=dict)
    fault: Fault | None = None
    _next_ids: dict[str, int] = field(default_factory=lambda: dict(ID_STARTS))

    @classmethod
    def create(cls, portal_id: int, user_id: str, secret: str, options: PortalOptions) -> Portal:
        portal = cls(
            id=portal_id,
            user_id=user_id,
            secret=secret,
            options=options,
            bucket=LeakyBucket(options.burst, options.drain_per_second),
            operating=OperatingLimiter(
                options.operating_limit_seconds, options.operating_window_seconds
            ),
        )
        for status in DEFAULT_STATUSES:
            portal.statuses[status.id] = Status(**vars(status))
            ru, en = DEFAULT_STATUS_NAMES[status.id]
            portal.status_langs.append(StatusLang(status.id, "ru", ru))
            portal.status_langs.append(StatusLang(status.id, "en", en))
        portal.delivery_services.update(DEFAULT_DELIVERY_SERVICES)
        portal.pay_systems.update({ps.id: ps for ps in DEFAULT_PAY_SYSTEMS})
        return portal

    def apply_options(self, options: PortalOptions) -> None:
        self.options = options
        self.bucket.reconfigure(options.burst, options.drain_per_second)
        self.operating.limit_seconds = options.operating_limit_seconds
        self.operating.window_seconds = options.operating_window_seconds

    def method_cost(self, method: str) -> float:
        return self.options.method_costs.get(method, self.options.method_cost_seconds)

    # ---- ids -------------------------------------------------------------------------------

    def next_id(self, kind: str) -> int:
        value = self._next_ids[kind]
        self._next_ids[kind] = value + 1
        return value

    def claim_id(self, kind: str, wanted: int | None) -> int:
        """An explicit id from a seed (to mirror a contract example), or the next free one."""
        if wanted is None:
            return self.next_id(kind)
        self._next_ids[kind] = max(self._next_ids[kind], wanted + 1)
        return wanted

    # ---- lookups ---------------------------------------------------------------------------

    def find_shipment(self, shipment_id: int) -> tuple[Order, Shipment] | None:
        for order in self.orders.values():
            shipment = order.shipment(shipment_id)
            if shipment is not None:
                return order, shipment
        return None

    def find_basket_item(self, basket_id: int) -> tuple[Order, BasketItem] | None:
        for order in self.orders.values():
            item = order.basket_item(basket_id)
            if item is not None:
                return order, item
        return None

    def find_shipment_item(self, item_id: int) -> tuple[Order, Shipment, ShipmentItem] | None:
        for order in self.orders.values():
            for shipment in order.shipments:
                for item in shipment.items:
                    if item.id == item_id:
                        return order, shipment, item
        return None

    def find_payment(self, payment_id: int) -> tuple[Order, Payment] | None:
        for order in self.orders.values():
            for payment in order.payments:
                if payment.id == payment_id:
                    return order, payment
        return None

    def status_name(self, status_id: str) -> str:
        names = [sl for sl in self.status_langs if sl.status_id == status_id]
        ru = next((sl.name for sl in names if sl.lid == "ru"), None)
        return ru or (names[0].name if names else status_id)

    def is_status(self, status_id: object, status_type: str) -> bool:
        status = self.statuses.get(str(status_id)) if isinstance(status_id, str) else None
        return status is not None and status.type == status_type

    # ---- order arithmetic ------------------------------------------------------------------

    def basket_changed(self, order: Order, now: float) -> None:
        """Bitrix recalculates the order price from basket + delivery on save (switchable)."""
        order.date_update = now
        if self.options.recalculate_on_basket_change:
            order.price = money(order.basket_total() + order.delivery_total())

    def set_delivery_price(
        self, order: Order, shipment: Shipment, base: Decimal, price: Decimal, now: float
    ) -> None:
        delta = price - shipment.price_delivery
        shipment.base_price_delivery = money(base)
        shipment.price_delivery = money(price)
        order.date_update = now
        if self.options.recalculate_on_basket_change:
            order.price = money(order.basket_total() + order.delivery_total())
        else:
            # Without a basket recalculation Bitrix still moves the total by the delivery change.
            order.price = money(order.price + delta)

    def check_basket_shrink(self, order: Order, item: BasketItem, quantity: Decimal) -> None:
        """Raise if lowering a line to `quantity` would touch a deducted shipment (strict mode)."""
        if not self.options.strict_deducted_shipments:
            return
        if quantity >= order.allocated_quantity(item.id):
            return
        for shipment in order.shipments:
            held = any(si.basket_id == item.id and si.quantity > 0 for si in shipment.items)
            if held and shipment.deducted == "Y":
                raise bad_request(
                    ERR_OTHER,
                    f"Basket item {item.id} is in deducted shipment {shipment.id}: lower the "
                    "shipment item first",
                )

    def set_basket_quantity(
        self, order: Order, item: BasketItem, quantity: Decimal, now: float
    ) -> None:
        self._release(order, item, order.allocated_quantity(item.id) - quantity)
        item.quantity = quantity
        item.date_update = now
        self.basket_changed(order, now)

    def delete_basket_item(self, order: Order, item: BasketItem, now: float) -> None:
        for shipment in order.shipments:
            shipment.items = [si for si in shipment.items if si.basket_id != item.id]
        order.basket = [b for b in order.basket if b.id != item.id]
        self.basket_changed(order, now)

    def _release(self, order: Order, item: BasketItem, excess: Decimal) -> None:
        # Shipment items may not hold more than the basket line; the latest shipment gives first.
        for shipment in reversed(order.shipments):
            for si in list(shipment.items):
                if excess <= 0:
                    return
                if si.basket_id != item.id:
                    continue
                taken = min(si.quantity, excess)
                si.quantity -= taken
                excess -= taken
                if si.quantity == 0:
                    shipment.items.remove(si)
