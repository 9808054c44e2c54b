"""Statuses reach Bitrix through the outbox: in order, through limits and outages, never twice."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from app.outbox.dispatcher import Dispatcher, OutboxPolicy
from app.sandbox.bitrix.faults import FaultSpec
from tests.bitrix_world import Portal, dispatcher, drain, wire_bitrix
from tests.conftest import ADMIN, DEFAULT_PARAMS, ShopHandle, make_shop
from tests.test_shipments import shipment_body
from tests.test_webhooks import event, post_signed


async def paused_until(app: FastAPI, shop: ShopHandle) -> datetime:
    """The shop's pause as stored (the epoch when it has none)."""
    async with app.state.runtime.engine.connect() as conn:
        until = (
            await conn.execute(
                text("SELECT bitrix_paused_until FROM shops WHERE id = :id"),
                {"id": uuid.UUID(shop.id)},
            )
        ).scalar_one()
    return until if until is not None else datetime.min.replace(tzinfo=UTC)


async def ship(
    client: httpx.AsyncClient, shop: ShopHandle, portal: Portal, order_id: int, shipment_id: int
) -> dict[str, Any]:
    portal.seed(order_id, shipment_id)
    body = shipment_body(
        shop,
        bitrix_order_id=order_id,
        bitrix_shipment_id=shipment_id,
        items=[
            {**shipment_body(shop)["items"][0], "bitrix_basket_item_id": order_id * 10 + 1},
            {**shipment_body(shop)["items"][1], "bitrix_basket_item_id": order_id * 10 + 2},
        ],
    )
    resp = await client.post("/api/v1/shipments", json=body, headers=shop.headers)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


async def test_status_push_keeps_bitrix_fields_and_sets_tracking(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal, 10452, 20871)
    assert await drain(app) == 1
    seen = portal.shipment(20871)
    assert seen["statusId"] == "OS"
    assert seen["trackingNumber"] == shipment["tracking_number"]
    # the sale.shipment.update traps: price, delivery service and flags survive the update
    assert Decimal(str(seen["priceDelivery"])) == Decimal("349.90")
    assert int(seen["deliveryId"]) == 12
    assert seen["allowDelivery"] == "Y"
    assert Decimal(str(portal.order(10452)["price"])) == Decimal("5339.90")


async def test_module_shop_gets_one_call_per_status(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop, module=True)
    await ship(client, shop, portal, 10452, 20871)
    await drain(app)
    assert portal.shipment(20871)["statusId"] == "OS"
    assert [c.method for c in portal.state.calls(portal.portal_id, ok_only=True)][-1] == (
        "ozonrocket.shipment.status"
    )


async def test_statuses_arrive_in_order(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal, 10452, 20871)
    oid = shipment["ozon_order_id"]
    for n, status in enumerate(("in_transit", "arrived", "delivered")):
        resp = await post_signed(client, shop, event(oid, status, f"e{n}"))
        assert resp.json()["outcome"] == "applied"
    await drain(app)
    assert portal.status_updates(20871) == ["OS", "OT", "OA", "OD"]


async def test_rate_limited_then_delivered_in_order(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal, 10452, 20871)
    await post_signed(client, shop, event(shipment["ozon_order_id"], "in_transit", "e1"))
    portal.state.set_fault(portal.portal_id, FaultSpec(mode="overload", for_calls=2))
    d = dispatcher(app)
    for refusal in range(2):
        paused_from = datetime.now(UTC)
        assert await d.run_once() == 0  # 503 OVERLOAD_LIMIT: the shop pauses, nothing is lost
        assert await paused_until(app, shop) > paused_from
        listed = (await client.get("/api/v1/outbox?state=pending", headers=ADMIN)).json()
        assert listed["total"] == 2
        # A refusal for the shop's limits is no failed attempt of the message itself.
        assert [(m["attempts"], m["last_error"]) for m in listed["items"]] == [(0, None)] * 2
        refused = portal.state.calls(portal.portal_id)[-1]
        assert (refused.method, refused.outcome) == ("batch", "fault:overload"), refusal
        await asyncio.sleep(0.1)  # BITRIX_OVERLOAD_WAIT is 0.05 s in the tests
    await drain(app)
    assert portal.status_updates(20871) == ["OS", "OT"]


async def test_bitrix_down_for_a_while_then_everything_in_order(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipments = [await ship(client, shop, portal, 1000 + n, 2000 + n) for n in range(3)]
    portal.state.set_fault(portal.portal_id, FaultSpec(mode="unavailable"))
    for n, s in enumerate(shipments):
        for status in ("in_transit", "arrived"):
            await post_signed(client, shop, event(s["ozon_order_id"], status, f"{status}{n}"))
    d = dispatcher(app)
    for _ in range(5):  # several rounds against a dead shop: attempts grow, nothing dies
        await d.run_once()
        await asyncio.sleep(0.06)
    failed = (await client.get("/api/v1/outbox?state=failed", headers=ADMIN)).json()
    assert failed["total"] == 3  # the first message of each shipment, the rest wait behind
    assert all(m["attempts"] >= 2 for m in failed["items"]), failed["items"]
    dead = await client.get("/api/v1/outbox?state=dead", headers=ADMIN)
    assert dead.json()["total"] == 0
    portal.state.clear_fault(portal.portal_id)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        await d.run_once()
        pending = await client.get("/api/v1/outbox?state=pending", headers=ADMIN)
        if pending.json()["total"] == 0:
            break
        await asyncio.sleep(0.06)
    for n in range(3):
        assert portal.status_updates(2000 + n) == ["OS", "OT", "OA"]


async def test_message_bitrix_refuses_goes_dead_and_can_be_retried(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    # No setup-statuses: Bitrix refuses the unknown status id, message after message.
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop, setup_statuses=False)
    await ship(client, shop, portal, 10452, 20871)
    d = dispatcher(app)
    for _ in range(6):
        await d.run_once()
        await asyncio.sleep(0.06)
    dead = (await client.get("/api/v1/outbox?state=dead", headers=ADMIN)).json()
    assert dead["total"] == 1
    message = dead["items"][0]
    assert message["attempts"] == 3
    assert message["last_error"]
    retried = await client.post(f"/api/v1/outbox/{message['id']}/retry", headers=ADMIN)
    assert retried.status_code == 200
    assert retried.json()["state"] == "pending"
    shop_token = await client.get("/api/v1/outbox", headers=shop.headers)
    assert shop_token.status_code == 403


async def test_two_dispatchers_never_deliver_a_message_twice(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    for n in range(30):
        await ship(client, shop, portal, 3000 + n, 4000 + n)
    a, b = dispatcher(app), dispatcher(app)
    for _ in range(10):
        await asyncio.gather(a.run_once(), b.run_once())
    for n in range(30):
        assert portal.status_updates(4000 + n) == ["OS"], n


async def test_shop_status_map_sets_shipment_and_order_status(
    app: FastAPI, client: httpx.AsyncClient, bitrix_sandbox: FastAPI
) -> None:
    shop = await make_shop(client, delivery_id=None)
    put = await client.put(
        f"/api/v1/shops/{shop.id}/delivery-services/12",
        json={
            "params": DEFAULT_PARAMS,
            "status_map": {"delivered": {"shipment_status": "DF", "order_status": "F"}},
        },
        headers=shop.headers,
    )
    assert put.status_code == 201
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal, 10452, 20871)
    oid = shipment["ozon_order_id"]
    for n, status in enumerate(("in_transit", "arrived", "delivered")):
        await post_signed(client, shop, event(oid, status, f"m{n}"))
    await drain(app)
    assert portal.status_updates(20871) == ["OS", "OT", "OA", "DF"]
    assert portal.order(10452)["statusId"] == "F"


async def test_setup_statuses_endpoint_creates_missing_statuses_once(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop, setup_statuses=False)
    first = await client.post(
        f"/api/v1/shops/{shop.id}/bitrix/setup-statuses", headers=shop.headers
    )
    assert first.status_code == 200, first.text
    assert sorted(first.json()["created"]) == ["OA", "OD", "OP", "OR", "OS", "OT"]
    assert "DD" in first.json()["present"]
    again = await client.post(f"/api/v1/shops/{shop.id}/bitrix/setup-statuses", headers=ADMIN)
    assert again.json()["created"] == []
    names = [
        c.params
        for c in portal.state.calls(portal.portal_id, ok_only=True)
        if c.method == "sale.statusLang.add"
    ]
    assert any("Частичный выкуп" in str(p) for p in names)


class CountingBitrix:
    """The real client, with a slow answer and a count of requests open at once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.open = 0
        self.peak = 0

    async def batch(self, rest_url: str, commands: Any, *, halt: bool = False) -> Any:
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            await asyncio.sleep(0.05)
            return await self.inner.batch(rest_url, commands, halt=halt)
        finally:
            self.open -= 1

    async def call(self, rest_url: str, method: str, params: Any) -> Any:
        return await self.inner.call(rest_url, method, params)


async def test_a_slow_shop_gets_overlapping_requests_up_to_the_cap(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    for n in range(80):  # 160 commands: 4 batches of 50
        await ship(client, shop, portal, 7000 + n, 8000 + n)
    runtime = app.state.runtime
    for cap, expected_peak in ((2, 2), (1, 1)):
        counting = CountingBitrix(runtime.bitrix)
        d = Dispatcher(
            runtime.engine,
            runtime.session_factory,
            runtime.secrets,
            counting,
            OutboxPolicy(max_in_flight=cap, max_bucket_wait=5.0),
        )
        await d.run_once()
        assert counting.peak == expected_peak
        if cap == 2:
            for n in range(80):
                assert portal.status_updates(8000 + n) == ["OS"], n
            # queue one more status for every shipment for the second round
            for n in range(80):
                sid = (
                    await client.get(
                        f"/api/v1/shipments?bitrix_order_id={7000 + n}", headers=shop.headers
                    )
                ).json()["items"][0]
                await post_signed(client, shop, event(sid["ozon_order_id"], "in_transit", f"x{n}"))
    for n in range(80):
        assert portal.status_updates(8000 + n) == ["OS", "OT"], n
