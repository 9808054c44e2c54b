"""The tracking number reaches Bitrix once for sure: learnt late, or lost with a dead message."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from app.shipments.lifecycle import tracking_to_send
from tests.bitrix_world import dispatcher, drain, wire_bitrix
from tests.conftest import ADMIN, ShopHandle
from tests.test_outbox import ship
from tests.test_webhooks import event, post_signed


async def outbox(client: httpx.AsyncClient, state: str) -> list[dict[str, Any]]:
    listed = await client.get(f"/api/v1/outbox?state={state}", headers=ADMIN)
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def test_tracking_lost_with_a_dead_first_push_goes_with_the_next_one(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    # No statuses in the shop yet: Bitrix refuses the first push until it is given up on.
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop, setup_statuses=False)
    shipment = await ship(client, shop, portal, 10452, 20871)
    d = dispatcher(app)
    for _ in range(6):
        await d.run_once()
        await asyncio.sleep(0.06)
    assert [m["payload"]["status_id"] for m in await outbox(client, "dead")] == ["OS"]
    setup = await client.post(f"/api/v1/shops/{shop.id}/bitrix/setup-statuses", headers=ADMIN)
    assert setup.status_code == 200, setup.text

    await post_signed(client, shop, event(shipment["ozon_order_id"], "in_transit", "e1"))
    assert await drain(app) == 1

    seen = portal.shipment(20871)
    assert (seen["statusId"], seen["trackingNumber"]) == ("OT", shipment["tracking_number"])


async def test_tracking_learnt_after_the_first_push_is_sent_until_delivered_then_left_alone(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal, 10452, 20871)
    # As if Ozon had answered the create without a tracking number (it may come later).
    async with app.state.runtime.engine.begin() as conn:
        await conn.execute(
            text("UPDATE shipments SET tracking_number = NULL WHERE id = :id"),
            {"id": uuid.UUID(shipment["id"])},
        )
    assert await drain(app) == 1
    assert (portal.shipment(20871)["statusId"], portal.shipment(20871)["trackingNumber"]) == (
        "OS",
        "",
    )

    oid = shipment["ozon_order_id"]
    await post_signed(client, shop, event(oid, "in_transit", "e1", tracking_number="OZR777RU"))
    assert await drain(app) == 1
    assert portal.shipment(20871)["trackingNumber"] == "OZR777RU"

    # Once Bitrix has it, the shop's managers own the field: later pushes leave it alone.
    portal.state.shipment(portal.portal_id, 20871).tracking_number = "OZR777RU-manual"
    await post_signed(client, shop, event(oid, "arrived", "e2"))
    assert await drain(app) == 1
    assert portal.shipment(20871)["statusId"] == "OA"
    assert portal.shipment(20871)["trackingNumber"] == "OZR777RU-manual"
    sent = [m["payload"]["tracking_number"] for m in await outbox(client, "done")]
    assert sent == [None, "OZR777RU", None]


def test_tracking_goes_until_delivered_and_never_as_an_empty_value() -> None:
    assert tracking_to_send("OZR1RU", delivered=False) == "OZR1RU"
    assert tracking_to_send("OZR1RU", delivered=True) is None
    assert tracking_to_send("", delivered=False) is None
    assert tracking_to_send(None, delivered=False) is None
