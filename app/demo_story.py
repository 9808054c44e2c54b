"""`python -m app demo`: the whole story against a running `make run`, told from both sides."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import httpx

OZON = "/sandbox/ozon-rocket/_sandbox"
BITRIX = "/sandbox/bitrix/_sandbox"


class Story:
    def __init__(self, base: str, shop_id: str, token: str, echo: Any) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        self.shop_id = shop_id
        self.auth = {"Authorization": f"Bearer {token}"}
        self.echo = echo

    def ok(self, resp: httpx.Response) -> Any:
        if resp.status_code >= 400:
            raise RuntimeError(f"{resp.request.method} {resp.request.url.path}: {resp.text}")
        return resp.json() if resp.content else None

    def run(self) -> None:
        portal = self.ok(self.http.get(f"{BITRIX}/portals"))["portals"][0]
        pid = portal["portal_id"]
        seeded = self.ok(self.http.post(f"{BITRIX}/portals/{pid}/orders", json=_order_seed()))
        order_id = seeded["order_id"]
        self.echo(f"1. Bitrix: a new order {order_id}, total {seeded['price']} RUB, paid online")
        statuses = self.ok(
            self.http.post(f"/api/v1/shops/{self.shop_id}/bitrix/setup-statuses", headers=self.auth)
        )
        self.echo(f"   Bitrix delivery statuses created: {statuses['created'] or 'already there'}")

        quote = self.ok(self.http.post("/api/v1/calculate", json=self.calc(), headers=self.auth))
        sel = quote["selected"]
        self.echo(f"2. Checkout: {sel['description']} — {sel['price']} RUB")

        body = self.shipment(seeded)
        shipment = self.ok(self.http.post("/api/v1/shipments", json=body, headers=self.auth))
        oid = shipment["ozon_order_id"]
        self.echo(
            f"3. Ozon order {oid} ({shipment['seller_order_number']}), "
            f"tracking {shipment['tracking_number']}"
        )
        for status in ("in_transit", "arrived"):
            self.advance(oid, {"status": status})
            self.echo(f"4. Ozon: {status} → signed webhook → bridge")
        self.advance(
            oid,
            {
                "status": "partial_delivered",
                "items": [
                    {"sku": "A-100", "accepted_quantity": 1},
                    {"sku": "B-200", "accepted_quantity": 1},
                ],
            },
        )
        self.echo("5. Ozon: partial_delivered — the buyer kept 1 of 2 mugs and the kettle")
        final = self.wait_for_bitrix(shipment["id"])
        ret = final["return"]
        after = self.ok(self.http.get(f"{BITRIX}/portals/{pid}/orders/{order_id}"))["order"]
        self.echo(
            "6. Bridge: return "
            f"{ret['state']}, refund {ret['refund_due']} RUB ({ret['refund_state']}), "
            f"Bitrix {ret['bitrix_state']}"
        )
        self.echo(
            f"7. Bitrix order {order_id} now: total {after['price']} RUB, basket "
            + ", ".join(f"{i['name']} × {i['quantity']}" for i in after["basketItems"])
        )
        shipment_view = after["shipments"][0]
        self.echo(f"   shipment status {shipment_view['statusId']}")
        self.echo(f"   comment: {after['comments']}")

    def calc(self) -> dict[str, Any]:
        return {
            "shop_id": self.shop_id,
            "bitrix_delivery_id": 12,
            "delivery_type": "to_address",
            "address": {"city": "Москва", "street": "Тверская", "house": "7"},
            "declared_value": 4990.00,
        }

    def shipment(self, seeded: dict[str, Any]) -> dict[str, Any]:
        mug, kettle = seeded["basket_item_ids"]
        return {
            "shop_id": self.shop_id,
            "bitrix_delivery_id": 12,
            "bitrix_order_id": seeded["order_id"],
            "bitrix_shipment_id": seeded["shipment_ids"][0],
            "delivery_type": "courier",
            "recipient": {"name": "Иван Петров", "phone": "+79161234567"},
            "address": {"city": "Москва", "street": "Тверская", "house": "7"},
            "items": [
                _item(mug, "A-100", "Кружка", 2, "500.00"),
                _item(kettle, "B-200", "Чайник", 1, "3990.00"),
            ],
            "payment_method": "prepaid",
            "paid_amount": float(Decimal(str(seeded["price"]))),
            "delivery_price": 349.90,
            "declared_value": 4990.00,
        }

    def advance(self, oid: str, body: dict[str, Any]) -> None:
        self.ok(self.http.post(f"{OZON}/orders/{oid}/advance", params={"wait": "true"}, json=body))

    def wait_for_bitrix(self, shipment_id: str, within: float = 90.0) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            got: dict[str, Any] = self.ok(
                self.http.get(f"/api/v1/shipments/{shipment_id}", headers=self.auth)
            )
            ret = got.get("return")
            if ret and ret["bitrix_state"] != "pending":
                return got
            time.sleep(0.5)
        raise RuntimeError("the outbox did not reach Bitrix in time (is RUN_WORKERS off?)")


def _item(basket_id: int, sku: str, name: str, qty: int, price: str) -> dict[str, Any]:
    return {
        "bitrix_basket_item_id": basket_id,
        "sku": sku,
        "name": name,
        "quantity": qty,
        "price": float(price),
        "declared_price": float(price),
    }


def _order_seed() -> dict[str, Any]:
    return {
        "basket": [
            {"name": "Кружка", "price": "500.00", "quantity": "2", "xml_id": "A-100"},
            {"name": "Чайник", "price": "3990.00", "quantity": "1", "xml_id": "B-200"},
        ],
        "shipments": [{"delivery_id": 12, "price": "349.90", "allow_delivery": True}],
        "payments": [{"pay_system_id": 2, "paid": True}],
    }
