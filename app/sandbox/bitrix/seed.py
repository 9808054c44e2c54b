"""Seeding orders into a portal, as a shop's checkout would have left them."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.money import ZERO, money
from app.sandbox.bitrix.models import (
    BasketItem,
    Order,
    Payment,
    PaySystem,
    PropertyValue,
    Shipment,
    ShipmentItem,
)
from app.sandbox.bitrix.portal import Portal

PROPERTY_NAMES = {
    "FIO": "Ф.И.О.",
    "EMAIL": "E-Mail",
    "PHONE": "Телефон",
    "ZIP": "Индекс",
    "CITY": "Город",
    "LOCATION": "Местоположение",
    "ADDRESS": "Адрес доставки",
    "OZON_PVZ": "Пункт выдачи Ozon Rocket",
}


class BasketItemSeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    name: str
    price: Decimal = Field(ge=0)
    quantity: Decimal = Field(default=Decimal(1), gt=0)
    base_price: Decimal | None = None
    xml_id: str | None = None
    product_id: int | None = None
    weight: int = Field(default=0, ge=0, description="grams")
    dimensions: tuple[int, int, int] | None = Field(default=None, description="W, H, L in mm")
    vat_rate: Decimal | None = None


class ShipmentItemSeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    basket_index: int = Field(ge=0, description="position of the line in `basket`")
    quantity: Decimal | None = Field(default=None, gt=0, description="None: the whole line")


class ShipmentSeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    delivery_id: int = 12
    delivery_name: str | None = None
    price: Decimal = Field(default=ZERO, ge=0)
    base_price: Decimal | None = None
    status_id: str = "DN"
    allow_delivery: bool = False
    deducted: bool = False
    tracking_number: str = ""
    xml_id: str | None = None
    # None: every basket line in full (only sensible for the first shipment).
    items: list[ShipmentItemSeed] | None = None


class PaymentSeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    pay_system_id: int = 2
    pay_system_name: str | None = None
    sum: Decimal | None = Field(default=None, ge=0, description="None: the order price")
    paid: bool = False


class OrderSeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    status_id: str = "N"
    comments: str = ""
    xml_id: str | None = None
    basket: list[BasketItemSeed] = Field(min_length=1)
    shipments: list[ShipmentSeed] = Field(default_factory=lambda: [ShipmentSeed()])
    payments: list[PaymentSeed] = Field(default_factory=lambda: [PaymentSeed()])
    properties: dict[str, str] = Field(default_factory=dict)
    locked: bool = False


class SeededOrder(BaseModel):
    """The ids Bitrix gave the seeded order, in the order of the seed's lists."""

    order_id: int
    basket_item_ids: list[int]
    shipment_ids: list[int]
    shipment_item_ids: list[list[int]]
    payment_ids: list[int]
    property_value_ids: dict[str, int]
    price: Decimal


class SeedError(ValueError):
    """A seed that does not describe a possible Bitrix order."""


def seed_order(portal: Portal, seed: OrderSeed, now: float) -> SeededOrder:
    _check(portal, seed)
    order_id = portal.claim_id("order", seed.id)
    if order_id in portal.orders:
        raise SeedError(f"order {order_id} already exists")
    order = Order(
        id=order_id,
        status_id=seed.status_id,
        price=ZERO,
        date_insert=now,
        date_update=now,
        date_status=now,
        comments=seed.comments,
        xml_id=seed.xml_id or f"bx_{order_id}",
        locked=seed.locked,
    )
    for item_seed in seed.basket:
        order.basket.append(_basket_item(portal, order_id, item_seed, now))
    for number, shipment_seed in enumerate(seed.shipments, start=1):
        order.shipments.append(_shipment(portal, order, shipment_seed, number, now))
    order.price = money(order.basket_total() + order.delivery_total())
    for number, payment_seed in enumerate(seed.payments, start=1):
        order.payments.append(_payment(portal, order, payment_seed, number, now))
    for code, value in seed.properties.items():
        props_id = portal.order_props.setdefault(code, portal.next_id("order_prop"))
        order.properties.append(
            PropertyValue(
                id=portal.next_id("property_value"),
                order_props_id=props_id,
                code=code,
                name=PROPERTY_NAMES.get(code, code),
                value=value,
            )
        )
    portal.orders[order_id] = order
    return SeededOrder(
        order_id=order_id,
        basket_item_ids=[b.id for b in order.basket],
        shipment_ids=[s.id for s in order.shipments],
        shipment_item_ids=[[si.id for si in s.items] for s in order.shipments],
        payment_ids=[p.id for p in order.payments],
        property_value_ids={v.code: v.id for v in order.properties},
        price=order.price,
    )


def _check(portal: Portal, seed: OrderSeed) -> None:
    if not portal.is_status(seed.status_id, "O"):
        raise SeedError(f"order status {seed.status_id!r} does not exist")
    for shipment in seed.shipments:
        if not portal.is_status(shipment.status_id, "D"):
            raise SeedError(f"delivery status {shipment.status_id!r} does not exist")
        for item in shipment.items or []:
            if item.basket_index >= len(seed.basket):
                raise SeedError(f"basket_index {item.basket_index} is outside the basket")


def _basket_item(portal: Portal, order_id: int, seed: BasketItemSeed, now: float) -> BasketItem:
    basket_id = portal.claim_id("basket", seed.id)
    return BasketItem(
        id=basket_id,
        order_id=order_id,
        # Catalogue ids in a range of their own (101, 102, ...), never equal to a basket id.
        product_id=seed.product_id or basket_id - 19_900,
        name=seed.name,
        price=money(seed.price),
        base_price=money(seed.base_price if seed.base_price is not None else seed.price),
        quantity=seed.quantity,
        xml_id=seed.xml_id or f"bx_basket_{basket_id}",
        product_xml_id=seed.xml_id or "",
        weight=seed.weight,
        dimensions=seed.dimensions,
        vat_rate=seed.vat_rate,
        date_insert=now,
        date_update=now,
    )


def _shipment(
    portal: Portal, order: Order, seed: ShipmentSeed, number: int, now: float
) -> Shipment:
    if seed.delivery_id not in portal.delivery_services or seed.delivery_name:
        portal.delivery_services[seed.delivery_id] = seed.delivery_name or "Ozon Rocket"
    shipment_id = portal.claim_id("shipment", seed.id)
    shipment = Shipment(
        id=shipment_id,
        order_id=order.id,
        account_number=f"{order.id}/{number}",
        delivery_id=seed.delivery_id,
        delivery_name=portal.delivery_services[seed.delivery_id],
        status_id=seed.status_id,
        allow_delivery="Y" if seed.allow_delivery else "N",
        deducted="Y" if seed.deducted else "N",
        tracking_number=seed.tracking_number,
        base_price_delivery=money(seed.base_price if seed.base_price is not None else seed.price),
        price_delivery=money(seed.price),
        date_insert=now,
        xml_id=seed.xml_id or f"bx_shipment_{shipment_id}",
        date_allow_delivery=now if seed.allow_delivery else None,
        date_deducted=now if seed.deducted else None,
    )
    wanted = seed.items
    if wanted is None:
        wanted = [ShipmentItemSeed(basket_index=i) for i in range(len(order.basket))]
    for item_seed in wanted:
        basket_item = order.basket[item_seed.basket_index]
        quantity = item_seed.quantity or basket_item.quantity
        held = order.allocated_quantity(basket_item.id) + sum(
            (si.quantity for si in shipment.items if si.basket_id == basket_item.id), Decimal(0)
        )
        if held + quantity > basket_item.quantity:
            raise SeedError(f"basket line {item_seed.basket_index} is shipped more than it has")
        shipment.items.append(
            ShipmentItem(
                id=portal.next_id("shipment_item"),
                shipment_id=shipment_id,
                basket_id=basket_item.id,
                quantity=quantity,
                xml_id=f"bx_si_{basket_item.id}",
                date_insert=now,
            )
        )
    return shipment


def _payment(portal: Portal, order: Order, seed: PaymentSeed, number: int, now: float) -> Payment:
    pay_system = portal.pay_systems.get(seed.pay_system_id)
    if pay_system is None or seed.pay_system_name:
        pay_system = PaySystem(
            seed.pay_system_id,
            seed.pay_system_name or f"Платёжная система {seed.pay_system_id}",
            is_cash=False,
        )
        portal.pay_systems[pay_system.id] = pay_system
    return Payment(
        id=portal.claim_id("payment", seed.id),
        order_id=order.id,
        account_number=f"{order.id}/{number}",
        pay_system_id=pay_system.id,
        pay_system_name=pay_system.name,
        pay_system_is_cash="Y" if pay_system.is_cash else "N",
        sum=money(seed.sum if seed.sum is not None else order.price),
        paid="Y" if seed.paid else "N",
        date_bill=now,
        date_paid=now if seed.paid else None,
        xml_id=f"bx_payment_{order.id}_{number}",
    )
