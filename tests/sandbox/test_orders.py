"""POST/GET /v1/orders and cancel: ids, uniqueness per seller, validation and ownership."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from app.sandbox.ozon_rocket import SandboxClock, SandboxConfig, SandboxState
from app.sandbox.ozon_rocket import create_ozon_rocket_sandbox as create_sandbox
from tests.sandbox.conftest import BASE_URL, advance, bearer, create_order, order_body

Headers = dict[str, str]


async def test_a_created_order_has_contract_shaped_ids_and_time(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    created = await create_order(ozon, auth)
    assert re.fullmatch(r"RKT-[0-9A-F]{6}", created["order_id"])
    assert re.fullmatch(r"OZR\d{9}RU", created["tracking_number"])
    assert created["status"] == "created"
    assert created["seller_order_number"] == "SHOP-10452"
    assert created["created_at"] == "2025-12-03T13:00:00.000+03:00"


async def test_get_returns_the_order_with_its_history(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    created = await create_order(ozon, auth)
    response = await ozon.get(f"/v1/orders/{created['order_id']}", headers=auth)
    assert response.status_code == 200
    order = response.json()
    assert order["status"] == "created"
    assert order["status_history"] == [{"status": "created", "at": created["created_at"]}]
    # Outcomes appear only once the order is delivered, partially delivered or returned.
    assert order["items"] == [{"sku": "A-100", "quantity": 2}, {"sku": "B-200", "quantity": 1}]
    assert '"cod_collected":0.00' in response.text


async def test_a_reused_seller_order_number_is_409_with_the_existing_order_id(
    ozon: httpx.AsyncClient, auth: Headers, state: SandboxState
) -> None:
    created = await create_order(ozon, auth)
    again = await ozon.post("/v1/orders", json=order_body(), headers=auth)
    assert again.status_code == 409
    assert again.json()["error_code"] == "ORDER_ALREADY_EXISTS"
    assert again.json()["order_id"] == created["order_id"]
    assert len(state.orders) == 1


async def test_seller_order_numbers_are_unique_per_seller_only(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    mine = await create_order(ozon, auth)
    theirs = await create_order(ozon, await bearer(ozon, "key-0002", "seller-2"))
    assert mine["order_id"] != theirs["order_id"]


async def test_another_sellers_order_is_not_found(ozon: httpx.AsyncClient, auth: Headers) -> None:
    created = await create_order(ozon, auth)
    other = await bearer(ozon, "key-0002", "seller-2")
    for response in (
        await ozon.get(f"/v1/orders/{created['order_id']}", headers=other),
        await ozon.post(f"/v1/orders/{created['order_id']}/cancel", headers=other),
        await ozon.get("/v1/orders/RKT-000000", headers=auth),
    ):
        assert response.status_code == 404
        assert response.json()["error_code"] == "ORDER_NOT_FOUND"


@pytest.mark.parametrize(
    ("changes", "details"),
    [
        (
            {"recipient": {"name": "Иван", "phone": "89161234567"}},
            {"recipient.phone": ["must be a Russian mobile number: +79XXXXXXXXX"]},
        ),
        (
            {"recipient": {"name": "Иван", "phone": "+74951234567"}},
            {"recipient.phone": ["must be a Russian mobile number: +79XXXXXXXXX"]},
        ),
        (
            {
                "items": [
                    {"sku": "A", "name": "x", "quantity": 1, "price": 10, "declared_price": 10},
                    {"sku": "A", "name": "y", "quantity": 1, "price": 10, "declared_price": 10},
                ],
                "declared_value": 20,
            },
            {"items[1].sku": ["must be unique within the order"]},
        ),
        (
            {
                "items": [
                    {"sku": "A", "name": "x", "quantity": 0, "price": 10, "declared_price": 10}
                ],
                "declared_value": 0,
            },
            {"items[0].quantity": ["must be > 0"]},
        ),
        (
            {
                "items": [
                    {"sku": "A", "name": "x", "quantity": 1.5, "price": 10, "declared_price": 10}
                ],
                "declared_value": 15,
            },
            {"items[0].quantity": ["must be an integer"]},
        ),
        (
            {"declared_value": 4990.01},
            {
                "declared_value": [
                    "must equal the sum of items[].declared_price * quantity (4990.00)"
                ]
            },
        ),
        ({"items": []}, {"items": ["must have at least 1 item(s)"]}),
        ({"delivery_address": None}, {"delivery_address": ["is required for courier delivery"]}),
        (
            {"delivery_type": "pickup_point", "option_id": None},
            {"pickup_point_id": ["is required for pickup_point delivery"]},
        ),
        (
            {"option_id": "opt_next_day"},
            {"option_id": ["must be opt_courier_std for this delivery"]},
        ),
        (
            {"delivery_address": {"city": "Урюпинск"}},
            {"delivery_address.city": ["no delivery to this city"]},
        ),
        (
            {"delivery_type": "next_day", "option_id": None, "payment_method": "cash_on_delivery"},
            {"delivery_type": ["not available for this destination, parcel and payment method"]},
        ),
    ],
)
async def test_invalid_orders_are_400_with_details(
    ozon: httpx.AsyncClient, auth: Headers, changes: dict[str, Any], details: dict[str, Any]
) -> None:
    response = await ozon.post("/v1/orders", json=order_body(**changes), headers=auth)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "VALIDATION_ERROR"
    assert response.json()["details"] == details


async def test_a_pickup_point_order_needs_an_active_point(
    ozon: httpx.AsyncClient, auth: Headers, state: SandboxState
) -> None:
    inactive = next(p for p in state.network.listing() if not p.is_active)
    response = await ozon.post(
        "/v1/orders",
        json=order_body(delivery_type="pickup_point", option_id=None, pickup_point_id=inactive.id),
        headers=auth,
    )
    assert response.status_code == 400
    assert response.json()["details"] == {"pickup_point_id": ["pickup point is not active"]}
    created = await create_order(
        ozon,
        auth,
        delivery_type="pickup_point",
        pickup_point_id="PVZ-77-000123",
        option_id=None,
        delivery_address=None,
    )
    assert created["partial_acceptance"] is True


async def test_a_locker_order_is_recorded_without_partial_acceptance(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    created = await create_order(
        ozon,
        auth,
        warehouse_id="WH-2",
        delivery_type="pickup_point",
        option_id="opt_pickup_point",
        pickup_point_id="LCK-78-000045",
        allow_partial_acceptance=True,
    )
    assert created["partial_acceptance"] is False
    order_id = created["order_id"]
    for status in ("in_transit", "arrived"):
        assert (await advance(ozon, order_id, status)).status_code == 200
    refused = await advance(ozon, order_id, "partial_delivered")
    assert refused.status_code == 409
    assert refused.json()["error_code"] == "PARTIAL_ACCEPTANCE_NOT_ALLOWED"


async def test_an_unknown_warehouse_is_404(ozon: httpx.AsyncClient, auth: Headers) -> None:
    response = await ozon.post("/v1/orders", json=order_body(warehouse_id="WH-99"), headers=auth)
    assert response.status_code == 404
    assert response.json()["error_code"] == "WAREHOUSE_NOT_FOUND"


async def test_cancel_in_created_is_200_and_again_200(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    order_id = (await create_order(ozon, auth))["order_id"]
    for _ in range(2):
        response = await ozon.post(f"/v1/orders/{order_id}/cancel", headers=auth)
        assert response.status_code == 200
        assert response.json() == {"order_id": order_id, "status": "cancelled"}
    order = (await ozon.get(f"/v1/orders/{order_id}", headers=auth)).json()
    assert [entry["status"] for entry in order["status_history"]] == ["created", "cancelled"]


async def test_cancel_after_the_first_mile_is_409(ozon: httpx.AsyncClient, auth: Headers) -> None:
    order_id = (await create_order(ozon, auth))["order_id"]
    await advance(ozon, order_id, "in_transit")
    response = await ozon.post(f"/v1/orders/{order_id}/cancel", headers=auth)
    assert response.status_code == 409
    assert response.json()["error_code"] == "ORDER_NOT_CANCELLABLE"


async def test_a_lost_create_response_is_recovered_by_the_409(
    ozon: httpx.AsyncClient, auth: Headers, state: SandboxState
) -> None:
    await ozon.post(
        "/_sandbox/faults",
        json={
            "path_prefix": "/v1/orders",
            "method": "POST",
            "status": 504,
            "count": 1,
            "phase": "response",
        },
    )
    lost = await ozon.post("/v1/orders", json=order_body(), headers=auth)
    assert lost.status_code == 504
    retried = await ozon.post("/v1/orders", json=order_body(), headers=auth)
    assert retried.status_code == 409
    (only,) = state.orders.all()
    assert retried.json()["order_id"] == only.order_id


async def ids_of_first_orders(seed: int, clock: SandboxClock) -> list[tuple[str, str]]:
    app = create_sandbox(SandboxConfig(seed=seed, clock=clock, pickup_point_count=10))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        headers = await bearer(c)
        ids = []
        for number in range(3):
            created = await create_order(c, headers, seller_order_number=f"SHOP-{number}")
            ids.append((created["order_id"], created["tracking_number"]))
        return ids


async def test_order_ids_and_tracking_numbers_follow_the_seed(clock: SandboxClock) -> None:
    first = await ids_of_first_orders(7, clock)
    assert await ids_of_first_orders(7, clock) == first
    assert await ids_of_first_orders(8, clock) != first
    assert len({order_id for order_id, _ in first}) == 3
