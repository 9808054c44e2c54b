"""Shipments: exactly once at Ozon, validation before Ozon, cancel and refresh."""

from __future__ import annotations

import asyncio
import copy
import uuid
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI

from app.sandbox.ozon_rocket.faults import Fault
from app.shipments.models import Shipment
from tests.conftest import ADMIN, DEFAULT_PARAMS, ShopHandle, make_shop


def shipment_body(shop: ShopHandle, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shop_id": shop.id,
        "bitrix_delivery_id": 12,
        "bitrix_order_id": 10452,
        "bitrix_shipment_id": 20871,
        "delivery_type": "courier",
        "option_id": "opt_courier_std",
        "recipient": {"name": "Иван Петров", "phone": "+79161234567", "email": "i@example.ru"},
        "address": {"city": "Москва", "street": "Тверская", "house": "7", "apartment": "12"},
        "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
        "items": [
            {
                "bitrix_basket_item_id": 789,
                "sku": "A-100",
                "name": "Кружка",
                "quantity": 2,
                "price": 500.00,
                "declared_price": 500.00,
            },
            {
                "bitrix_basket_item_id": 790,
                "sku": "B-200",
                "name": "Чайник",
                "quantity": 1,
                "price": 3990.00,
                "declared_price": 3990.00,
            },
        ],
        "payment_method": "prepaid",
        "paid_amount": 4990.00,
        "declared_value": 4990.00,
    }
    body.update(over)
    return body


def ozon_orders(sandbox: FastAPI) -> list[Any]:
    return list(sandbox.state.sandbox.orders.all())


async def test_create_sends_one_order_and_returns_the_shipment(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    resp = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["ozon_order_id"].startswith("RKT-")
    assert body["seller_order_number"] == "SHOP-10452"
    assert body["status"] == "created"
    assert body["tracking_number"]
    assert [h["status"] for h in body["status_history"]] == ["created"]
    assert [i["sku"] for i in body["items"]] == ["A-100", "B-200"]
    assert body["items"][0]["price"] == 500.0
    orders = ozon_orders(ozon_sandbox)
    assert len(orders) == 1
    assert orders[0].partial_acceptance is True

    got = await client.get(f"/api/v1/shipments/{body['id']}", headers=shop.headers)
    assert got.json()["ozon_order_id"] == body["ozon_order_id"]


async def test_same_bitrix_shipment_again_is_200_and_no_second_order(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    first = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    second = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert len(ozon_orders(ozon_sandbox)) == 1


async def test_100_concurrent_identical_creates_make_one_ozon_order(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    answers = await asyncio.gather(
        *(
            client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
            for _ in range(100)
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1, codes
    assert codes.count(200) == 99, codes
    assert len({a.json()["id"] for a in answers}) == 1
    assert len({a.json()["ozon_order_id"] for a in answers}) == 1
    assert len(ozon_orders(ozon_sandbox)) == 1


async def test_idempotency_key_with_another_body_is_422(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    headers = {**shop.headers, "Idempotency-Key": "bx-20871-1"}
    first = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=headers)
    assert first.status_code == 201
    other = shipment_body(shop, bitrix_shipment_id=20872)
    resp = await client.post("/api/v1/shipments", json=other, headers=headers)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    same = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=headers)
    assert same.status_code == 200
    assert same.json()["id"] == first.json()["id"]


async def test_lost_response_is_recovered_without_a_second_order(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    """Ozon created the order but every answer was lost: the shipment stays pending (503); the
    next attempt gets 409 ORDER_ALREADY_EXISTS and adopts the existing order."""
    faults = ozon_sandbox.state.sandbox.faults
    faults.add(Fault(path_prefix="/v1/orders", method="POST", status=504, phase="response"))
    lost = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    faults.clear()
    assert lost.status_code == 503, lost.text
    assert len(ozon_orders(ozon_sandbox)) == 1

    listed = await client.get("/api/v1/shipments", headers=shop.headers)
    pending = listed.json()["items"][0]
    assert pending["status"] == "pending"
    assert pending["ozon_order_id"] is None

    again = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert again.status_code == 201, again.text
    assert again.json()["ozon_order_id"] == ozon_orders(ozon_sandbox)[0].order_id
    assert len(ozon_orders(ozon_sandbox)) == 1


async def test_validation_before_ozon_names_fields(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    base = shipment_body(shop)
    dup = copy.deepcopy(base)
    dup["items"][1]["sku"] = "A-100"
    cases: dict[str, dict[str, Any]] = {
        "recipient.phone": shipment_body(shop, recipient={"name": "И", "phone": "12345"}),
        "items.1.sku": dup,
        "declared_value": shipment_body(shop, declared_value=5000.00),
        "items.0.quantity": shipment_body(
            shop, items=[{**base["items"][0], "quantity": 0}], declared_value=0
        ),
    }
    for field, body in cases.items():
        resp = await client.post("/api/v1/shipments", json=body, headers=shop.headers)
        assert resp.status_code == 422, (field, resp.text)
        locs = [".".join(map(str, e["loc"])) for e in resp.json()["errors"]]
        assert any(loc.endswith(field) for loc in locs), (field, locs)
    assert ozon_orders(ozon_sandbox) == []


async def test_phone_in_russian_notation_is_normalised(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    body = shipment_body(shop, recipient={"name": "Иван", "phone": "8 (916) 123-45-67"})
    resp = await client.post("/api/v1/shipments", json=body, headers=shop.headers)
    assert resp.status_code == 201, resp.text
    assert [o.request.recipient.phone for o in ozon_orders(ozon_sandbox)] == ["+79161234567"]


async def test_ozon_validation_error_comes_back_as_422_with_details(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    body = shipment_body(
        shop, delivery_type="pickup_point", pickup_point_id="PVZ-00-999999", address=None
    )
    resp = await client.post("/api/v1/shipments", json=body, headers=shop.headers)
    assert resp.status_code == 422, resp.text
    assert resp.json()["ozon_error_code"] == "VALIDATION_ERROR"
    assert "pickup_point_id" in str(resp.json()["ozon_details"])


async def test_partial_accept_off_is_sent_to_ozon(
    client: httpx.AsyncClient, ozon_sandbox: FastAPI
) -> None:
    shop = await make_shop(client, params={**DEFAULT_PARAMS, "PARTIAL_ACCEPT": "N"})
    resp = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert resp.status_code == 201
    assert ozon_orders(ozon_sandbox)[0].partial_acceptance is False


async def test_second_shipment_of_an_order_gets_its_own_number(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    first = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    second = await client.post(
        "/api/v1/shipments",
        json=shipment_body(shop, bitrix_shipment_id=20872),
        headers=shop.headers,
    )
    assert first.json()["seller_order_number"] == "SHOP-10452"
    assert second.json()["seller_order_number"] == "SHOP-10452-20872"
    assert second.json()["ozon_order_id"] != first.json()["ozon_order_id"]


async def test_cancel_while_created_then_409_after_first_mile(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    one = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    cancelled = await client.post(
        f"/api/v1/shipments/{one.json()['id']}/cancel", headers=shop.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["bitrix_status_id"] == "DD"

    two = await client.post(
        "/api/v1/shipments",
        json=shipment_body(shop, bitrix_order_id=3, bitrix_shipment_id=3),
        headers=shop.headers,
    )
    await ozon_sandbox.state.sandbox.advance_order(
        two.json()["ozon_order_id"], "in_transit", wait=True
    )
    refused = await client.post(
        f"/api/v1/shipments/{two.json()['id']}/cancel", headers=shop.headers
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"


async def test_refresh_applies_what_ozon_says(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    created = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    order_id = created.json()["ozon_order_id"]
    await ozon_sandbox.state.sandbox.advance_order(order_id, "in_transit", notify=False)
    resp = await client.post(
        f"/api/v1/shipments/{created.json()['id']}/refresh", headers=shop.headers
    )
    assert resp.status_code == 200
    assert resp.json()["status"] == "in_transit"
    assert [h["source"] for h in resp.json()["status_history"]] == ["create", "refresh"]


async def test_another_shops_shipment_is_404(client: httpx.AsyncClient, shop: ShopHandle) -> None:
    created = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    other = await make_shop(client, name="Чужой")
    sid = created.json()["id"]
    for method, path in (
        ("GET", f"/api/v1/shipments/{sid}"),
        ("POST", f"/api/v1/shipments/{sid}/cancel"),
        ("POST", f"/api/v1/shipments/{sid}/refresh"),
    ):
        resp = await client.request(method, path, headers=other.headers)
        assert resp.status_code == 404, path
    listed = await client.get("/api/v1/shipments", headers=other.headers)
    assert listed.json()["total"] == 0
    everything = await client.get("/api/v1/shipments", headers=ADMIN)
    assert everything.json()["total"] == 1
    posted = await client.post(
        "/api/v1/shipments", json=shipment_body(shop, bitrix_shipment_id=9), headers=other.headers
    )
    assert posted.status_code == 404


async def test_list_filters_by_order_and_status(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    await client.post(
        "/api/v1/shipments",
        json=shipment_body(shop, bitrix_order_id=5, bitrix_shipment_id=6),
        headers=shop.headers,
    )
    by_order = await client.get("/api/v1/shipments?bitrix_order_id=5", headers=shop.headers)
    assert [s["bitrix_order_id"] for s in by_order.json()["items"]] == [5]
    by_status = await client.get("/api/v1/shipments?status=delivered", headers=shop.headers)
    assert by_status.json()["total"] == 0


def pickup_body(shop: ShopHandle, point_id: str, **over: Any) -> dict[str, Any]:
    return shipment_body(
        shop,
        delivery_type="pickup_point",
        option_id=None,
        pickup_point_id=point_id,
        address=None,
        **over,
    )


ONE_TEAPOT: dict[str, Any] = {
    "items": [
        {
            "bitrix_basket_item_id": 790,
            "sku": "B-200",
            "name": "Чайник",
            "quantity": 1,
            "price": 3990.00,
            "declared_price": 3990.00,
        }
    ],
    "declared_value": 3990.00,
    "paid_amount": 4339.00,
    "delivery_price": 349.00,
}


async def stored_shipment(app: FastAPI, shipment_id: str) -> Shipment:
    async with app.state.runtime.session_factory() as session:
        shipment: Shipment = await session.get_one(Shipment, uuid.UUID(shipment_id))
        return shipment


async def test_corrected_post_after_ozon_refused_the_point_creates_one_order(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    refused = await client.post(
        "/api/v1/shipments", json=pickup_body(shop, "PVZ-00-999999"), headers=shop.headers
    )
    assert refused.status_code == 422, refused.text
    assert "pickup_point_id" in str(refused.json()["ozon_details"])

    corrected = pickup_body(shop, "PVZ-77-000123", **ONE_TEAPOT)
    resp = await client.post("/api/v1/shipments", json=corrected, headers=shop.headers)
    assert resp.status_code == 201, resp.text
    assert resp.json()["pickup_point_id"] == "PVZ-77-000123"
    assert [(i["sku"], i["quantity"]) for i in resp.json()["items"]] == [("B-200", 1)]
    orders = ozon_orders(ozon_sandbox)
    assert len(orders) == 1
    assert orders[0].request.pickup_point_id == "PVZ-77-000123"
    assert [(line.sku, line.quantity) for line in orders[0].lines] == [("B-200", 1)]
    row = await stored_shipment(app, resp.json()["id"])
    assert (row.declared_value, row.paid_amount, row.delivery_price) == (
        Decimal("3990.00"),
        Decimal("4339.00"),
        Decimal("349.00"),
    )


async def test_corrected_post_after_ozon_was_unavailable_is_created(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    faults = ozon_sandbox.state.sandbox.faults
    faults.add(Fault(path_prefix="/v1/orders", method="POST", status=503))
    down = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    faults.clear()
    assert down.status_code == 503, down.text
    assert ozon_orders(ozon_sandbox) == []

    corrected = shipment_body(
        shop,
        address={"city": "Москва", "street": "Тверская", "house": "9", "apartment": "3"},
        **ONE_TEAPOT,
    )
    resp = await client.post("/api/v1/shipments", json=corrected, headers=shop.headers)
    assert resp.status_code == 201, resp.text
    orders = ozon_orders(ozon_sandbox)
    assert len(orders) == 1
    assert [(line.sku, line.quantity) for line in orders[0].lines] == [("B-200", 1)]
    assert orders[0].request.delivery_address is not None
    assert orders[0].request.delivery_address.house == "9"
    listed = await client.get("/api/v1/shipments", headers=shop.headers)
    assert listed.json()["total"] == 1


async def use_api_key(client: httpx.AsyncClient, shop: ShopHandle, api_key: str) -> None:
    put = await client.put(
        f"/api/v1/shops/{shop.id}/delivery-services/12",
        json={"params": {**DEFAULT_PARAMS, "OZON_API_KEY": api_key}},
        headers=shop.headers,
    )
    assert put.status_code in (200, 201), put.text


async def test_refresh_and_cancel_with_a_refused_api_key_name_the_setting(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    created = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert created.status_code == 201, created.text
    await use_api_key(client, shop, "invalid-key-0001")
    sid = created.json()["id"]
    for action in ("refresh", "cancel"):
        resp = await client.post(f"/api/v1/shipments/{sid}/{action}", headers=shop.headers)
        assert resp.status_code == 424, (action, resp.text)
        assert resp.headers["content-type"] == "application/problem+json"
        assert "OZON_API_KEY" in resp.json()["detail"], action
        assert resp.json()["ozon_error_code"] == "INVALID_API_KEY"
    got = await client.get(f"/api/v1/shipments/{sid}", headers=shop.headers)
    assert got.json()["status"] == "created"


async def test_ozon_validation_error_on_cancel_is_422_with_its_details(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    created = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    ozon_sandbox.state.sandbox.faults.add(
        Fault(path_prefix="/v1/orders/", method="POST", status=400, error_code="VALIDATION_ERROR")
    )
    resp = await client.post(
        f"/api/v1/shipments/{created.json()['id']}/cancel", headers=shop.headers
    )
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["ozon_error_code"] == "VALIDATION_ERROR"
    assert "cancel" in resp.json()["detail"]


async def test_an_unexpected_ozon_answer_on_refresh_is_502(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    created = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    ozon_sandbox.state.sandbox.faults.add(
        Fault(path_prefix="/v1/orders/", method="GET", status=418, error_code="TEAPOT")
    )
    resp = await client.post(
        f"/api/v1/shipments/{created.json()['id']}/refresh", headers=shop.headers
    )
    assert resp.status_code == 502, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    assert "HTTP 418" in resp.json()["detail"]


async def test_an_idempotency_key_first_used_on_a_repost_is_bound_to_that_body(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    first = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert first.status_code == 201
    keyed = {**shop.headers, "Idempotency-Key": "bx-late-key"}
    again = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=keyed)
    assert again.status_code == 200
    other = shipment_body(shop, bitrix_shipment_id=20872)
    reused = await client.post("/api/v1/shipments", json=other, headers=keyed)
    assert reused.status_code == 422, reused.text
    assert reused.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert len(ozon_orders(ozon_sandbox)) == 1
    same = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=keyed)
    assert same.status_code == 200
    assert same.json()["id"] == first.json()["id"]


async def test_a_second_idempotency_key_for_a_shipment_is_bound_too(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    one = {**shop.headers, "Idempotency-Key": "bx-key-1"}
    two = {**shop.headers, "Idempotency-Key": "bx-key-2"}
    assert (
        await client.post("/api/v1/shipments", json=shipment_body(shop), headers=one)
    ).status_code == 201
    assert (
        await client.post("/api/v1/shipments", json=shipment_body(shop), headers=two)
    ).status_code == 200
    other = shipment_body(shop, bitrix_shipment_id=20872)
    reused = await client.post("/api/v1/shipments", json=other, headers=two)
    assert reused.status_code == 422, reused.text
    assert len(ozon_orders(ozon_sandbox)) == 1


async def sync_network(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/v1/pickup-points/sync", headers=ADMIN)
    assert resp.status_code == 200, resp.text


async def test_a_point_unknown_to_the_synced_network_is_422_before_ozon(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    await sync_network(client)
    resp = await client.post(
        "/api/v1/shipments", json=pickup_body(shop, "PVZ-77-777777"), headers=shop.headers
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"][0]["loc"] == ["body", "pickup_point_id"]
    assert "is not in the Ozon Rocket network" in resp.json()["detail"]
    assert ozon_orders(ozon_sandbox) == []


async def test_a_point_the_parcel_does_not_fit_is_422_before_ozon(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    await sync_network(client)
    big = [{"weight": 1000, "length": 700, "width": 300, "height": 300}]
    resp = await client.post(
        "/api/v1/shipments",
        json=pickup_body(shop, "LCK-78-000045", packages=big),
        headers=shop.headers,
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"][0]["loc"] == ["body", "pickup_point_id"]
    assert "does not fit pickup point LCK-78-000045" in resp.json()["detail"]
    assert ozon_orders(ozon_sandbox) == []
