"""A status push never changes what the buyer pays for delivery, nor the order total."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.sandbox.bitrix.seed import BasketItemSeed, OrderSeed, PaymentSeed, ShipmentSeed
from tests.bitrix_world import Portal, drain, wire_bitrix
from tests.conftest import ShopHandle
from tests.test_shipments import shipment_body


async def ship_priced(
    client: httpx.AsyncClient,
    shop: ShopHandle,
    portal: Portal,
    *,
    price: Decimal,
    base_price: Decimal,
) -> dict[str, Any]:
    """Order 10452 (basket 4990.00) whose shipment 20871 costs `price`, listed at `base_price`."""
    portal.state.seed_order(
        portal.portal_id,
        OrderSeed(
            id=10452,
            basket=[
                BasketItemSeed(id=104521, name="Кружка", price=Decimal(500), quantity=Decimal(2)),
                BasketItemSeed(id=104522, name="Чайник", price=Decimal(3990)),
            ],
            shipments=[
                ShipmentSeed(
                    id=20871,
                    delivery_id=12,
                    price=price,
                    base_price=base_price,
                    allow_delivery=True,
                )
            ],
            payments=[PaymentSeed(id=104520, paid=True)],
        ),
    )
    template = shipment_body(shop)
    body = shipment_body(
        shop,
        bitrix_order_id=10452,
        bitrix_shipment_id=20871,
        items=[
            {**template["items"][0], "bitrix_basket_item_id": 104521},
            {**template["items"][1], "bitrix_basket_item_id": 104522},
        ],
    )
    resp = await client.post("/api/v1/shipments", json=body, headers=shop.headers)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


@pytest.mark.parametrize(
    ("price", "order_total"),
    [(Decimal("0.00"), Decimal("4990.00")), (Decimal("199.00"), Decimal("5189.00"))],
    ids=["free", "discounted"],
)
async def test_status_push_keeps_a_free_or_discounted_delivery_price(
    app: FastAPI,
    client: httpx.AsyncClient,
    shop: ShopHandle,
    bitrix_sandbox: FastAPI,
    price: Decimal,
    order_total: Decimal,
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    await ship_priced(client, shop, portal, price=price, base_price=Decimal("349.90"))
    assert Decimal(str(portal.order(10452)["price"])) == order_total

    assert await drain(app) == 1

    seen = portal.shipment(20871)
    assert seen["statusId"] == "OS"
    assert Decimal(str(seen["priceDelivery"])) == price
    assert Decimal(str(portal.order(10452)["price"])) == order_total
