"""The shop's data as the emulator keeps it: orders, their basket, shipments and payments."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from app.domain.money import ZERO, money


@dataclass
class BasketItem:
    id: int
    order_id: int
    product_id: int
    name: str
    price: Decimal
    base_price: Decimal
    quantity: Decimal
    xml_id: str
    product_xml_id: str
    weight: int  # grams
    dimensions: tuple[int, int, int] | None  # width, height, length in mm
    vat_rate: Decimal | None
    date_insert: float
    date_update: float
    sort: int = 100

    def total(self) -> Decimal:
        return money(self.price * self.quantity)


@dataclass
class ShipmentItem:
    id: int
    shipment_id: int
    basket_id: int
    quantity: Decimal
    xml_id: str
    date_insert: float


@dataclass
class Shipment:
    id: int
    order_id: int
    account_number: str
    delivery_id: int
    delivery_name: str
    status_id: str
    allow_delivery: str
    deducted: str
    tracking_number: str
    base_price_delivery: Decimal
    price_delivery: Decimal
    date_insert: float
    custom_price_delivery: str = "N"
    comments: str = ""
    xml_id: str = ""
    delivery_doc_num: str = ""
    delivery_doc_date: str | None = None
    responsible_id: int | None = None
    date_allow_delivery: float | None = None
    date_deducted: float | None = None
    items: list[ShipmentItem] = field(default_factory=list)


@dataclass
class Payment:
    id: int
    order_id: int
    account_number: str
    pay_system_id: int
    pay_system_name: str
    pay_system_is_cash: str
    sum: Decimal
    paid: str
    date_bill: float
    date_paid: float | None = None
    is_return: str = "N"
    pay_return_num: str = ""
    pay_return_date: str | None = None
    pay_return_comment: str = ""
    comments: str = ""
    xml_id: str = ""


@dataclass
class PropertyValue:
    id: int
    order_props_id: int
    code: str
    name: str
    value: str


@dataclass
class RefundRecord:
    """What the module did about money for one partial acceptance (sandbox-only bookkeeping)."""

    operation_id: str
    status: str  # done | inner_account | manual
    amount: Decimal
    payment_id: int | None
    reason: str
    at: float


@dataclass
class Order:
    id: int
    status_id: str
    price: Decimal
    date_insert: float
    date_update: float
    date_status: float
    currency: str = "RUB"
    comments: str = ""
    user_description: str = ""
    canceled: str = "N"
    reason_canceled: str = ""
    marked: str = "N"
    reason_marked: str = ""
    xml_id: str = ""
    user_id: int = 1
    responsible_id: int = 1
    locked: bool = False
    inner_account_credit: Decimal = ZERO
    basket: list[BasketItem] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    properties: list[PropertyValue] = field(default_factory=list)
    refunds: list[RefundRecord] = field(default_factory=list)

    def basket_total(self) -> Decimal:
        return money(sum((item.total() for item in self.basket), ZERO))

    def delivery_total(self) -> Decimal:
        return money(sum((s.price_delivery for s in self.shipments), ZERO))

    def paid_sum(self) -> Decimal:
        return money(sum((p.sum for p in self.payments if p.paid == "Y"), ZERO))

    def basket_item(self, basket_id: int) -> BasketItem | None:
        return next((item for item in self.basket if item.id == basket_id), None)

    def shipment(self, shipment_id: int) -> Shipment | None:
        return next((s for s in self.shipments if s.id == shipment_id), None)

    def allocated_quantity(self, basket_id: int) -> Decimal:
        return sum(
            (si.quantity for s in self.shipments for si in s.items if si.basket_id == basket_id),
            Decimal(0),
        )


@dataclass
class Status:
    id: str
    type: str  # O: order, D: delivery
    sort: int
    notify: str = "Y"
    color: str | None = None
    xml_id: str | None = None


@dataclass
class StatusLang:
    status_id: str
    lid: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class PaySystem:
    id: int
    name: str
    is_cash: bool
