"""Ozon status webhooks: signature first, stored once, never backwards."""

from __future__ import annotations

import json
import time
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from app.config import Settings
from app.ozon.signature import sign, signature_header
from tests.conftest import ShopHandle
from tests.test_shipments import shipment_body


async def db_rows(settings: Settings, sql: str, *args: Any) -> list[dict[str, Any]]:
    u = make_url(settings.database_url or "")
    conn = await asyncpg.connect(
        host=u.query.get("host") or u.host, port=u.port, user=u.username, database=u.database
    )
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


def event(order_id: str, status: str, event_id: str, **extra: Any) -> bytes:
    body = {
        "event_id": event_id,
        "event_type": "order.status_changed",
        "occurred_at": "2026-12-01T10:15:00+03:00",
        "order_id": order_id,
        "seller_order_number": "SHOP-10452",
        "status": status,
        "tracking_number": "OZR123456789RU",
        **extra,
    }
    return json.dumps(body, ensure_ascii=False).encode()


async def post_signed(
    client: httpx.AsyncClient,
    shop: ShopHandle,
    body: bytes,
    *,
    secret: str | None = None,
    t: int | None = None,
) -> httpx.Response:
    header = sign(secret or shop.webhook_secret, t if t is not None else int(time.time()), body)
    return await client.post(
        f"/webhooks/ozon-rocket/{shop.id}",
        content=body,
        headers={"X-Ozon-Signature": header, "Content-Type": "application/json"},
    )


async def created_shipment(client: httpx.AsyncClient, shop: ShopHandle) -> dict[str, Any]:
    resp = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert resp.status_code == 201
    data: dict[str, Any] = resp.json()
    return data


async def test_signed_webhook_moves_the_shipment_and_queues_a_push(
    client: httpx.AsyncClient, shop: ShopHandle, settings: Settings
) -> None:
    shipment = await created_shipment(client, shop)
    resp = await post_signed(client, shop, event(shipment["ozon_order_id"], "in_transit", "e1"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["outcome"] == "applied"
    got = await client.get(f"/api/v1/shipments/{shipment['id']}", headers=shop.headers)
    assert got.json()["status"] == "in_transit"
    assert got.json()["bitrix_status_id"] == "OT"
    assert got.json()["status_history"][-1]["event_id"] == "e1"
    pushes = await db_rows(settings, "SELECT payload FROM outbox ORDER BY id")
    assert [json.loads(p["payload"])["status_id"] for p in pushes] == ["OS", "OT"]


async def test_bad_missing_stale_signatures_are_401_and_store_nothing(
    client: httpx.AsyncClient, shop: ShopHandle, settings: Settings
) -> None:
    shipment = await created_shipment(client, shop)
    body = event(shipment["ozon_order_id"], "in_transit", "e-bad")
    attempts = [
        await post_signed(client, shop, body, secret="whsec_wrong_secret"),
        await post_signed(client, shop, body, t=int(time.time()) - 301),
        await post_signed(client, shop, body, t=int(time.time()) + 301),
        await client.post(f"/webhooks/ozon-rocket/{shop.id}", content=body),
        await client.post(
            f"/webhooks/ozon-rocket/{shop.id}", content=body, headers={"X-Ozon-Signature": "t=x"}
        ),
    ]
    tampered_header = sign(shop.webhook_secret, int(time.time()), body)
    attempts.append(
        await client.post(
            f"/webhooks/ozon-rocket/{shop.id}",
            content=body.replace(b"in_transit", b"delivered"),
            headers={"X-Ozon-Signature": tampered_header},
        )
    )
    for resp in attempts:
        assert resp.status_code == 401, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
    assert await db_rows(settings, "SELECT * FROM webhook_events") == []
    got = await client.get(f"/api/v1/shipments/{shipment['id']}", headers=shop.headers)
    assert got.json()["status"] == "created"


async def test_any_of_several_v1_entries_and_both_rotation_secrets_verify(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    new_secret = "whsec_rotated_secret_2"
    patched = await client.patch(
        f"/api/v1/shops/{shop.id}",
        json={"ozon_webhook_secrets": [shop.webhook_secret, new_secret]},
        headers=shop.headers,
    )
    assert patched.status_code == 200
    shipment = await created_shipment(client, shop)
    body = event(shipment["ozon_order_id"], "in_transit", "e-rot")
    header = signature_header(["whsec_unknown_other", new_secret], int(time.time()), body)
    resp = await client.post(
        f"/webhooks/ozon-rocket/{shop.id}", content=body, headers={"X-Ozon-Signature": header}
    )
    assert resp.status_code == 200, resp.text
    # Ozon may still sign with the old secret until the rotation ends on its side.
    old = await post_signed(
        client,
        shop,
        event(shipment["ozon_order_id"], "arrived", "e-rot-old"),
        secret=shop.webhook_secret,
    )
    assert old.status_code == 200, old.text
    assert old.json()["outcome"] == "applied"
    # Once the old secret is dropped, it no longer opens the door.
    await client.patch(
        f"/api/v1/shops/{shop.id}",
        json={"ozon_webhook_secrets": [new_secret]},
        headers=shop.headers,
    )
    dropped = await post_signed(
        client,
        shop,
        event(shipment["ozon_order_id"], "delivered", "e-rot-gone"),
        secret=shop.webhook_secret,
    )
    assert dropped.status_code == 401


async def test_signed_bodies_postgresql_cannot_store_are_422_and_change_nothing(
    client: httpx.AsyncClient, shop: ShopHandle, settings: Settings
) -> None:
    shipment = await created_shipment(client, shop)
    order_id = shipment["ozon_order_id"]
    utf16 = event(order_id, "in_transit", "e-utf16").decode().encode("utf-16")
    nul = event(order_id, "in_transit", "e-nul").replace(b"OZR123456789RU", b"OZR\\u0000")
    lone_surrogate = event(order_id, "in_transit", "e-sur").replace(
        b"OZR123456789RU", b"OZR\\ud800"
    )
    for body in (utf16, nul, lone_surrogate):
        resp = await post_signed(client, shop, body)
        assert resp.status_code == 422, (body, resp.text)
        assert resp.headers["content-type"] == "application/problem+json"
    assert await db_rows(settings, "SELECT * FROM webhook_events") == []
    got = await client.get(f"/api/v1/shipments/{shipment['id']}", headers=shop.headers)
    assert got.json()["status"] == "created"
    # A surrogate pair is a real character (say, an emoji): stored and applied.
    pair = event(order_id, "in_transit", "e-pair").replace(b"OZR123456789RU", b"OZR\\ud83d\\ude00")
    paired = await post_signed(client, shop, pair)
    assert paired.status_code == 200, paired.text


async def test_replayed_event_is_processed_once(
    client: httpx.AsyncClient, shop: ShopHandle, settings: Settings
) -> None:
    shipment = await created_shipment(client, shop)
    body = event(shipment["ozon_order_id"], "in_transit", "e-dup")
    first = await post_signed(client, shop, body)
    second = await post_signed(client, shop, body)
    assert first.json()["outcome"] == "applied"
    assert second.status_code == 200
    assert second.json()["outcome"] == "duplicate_event"
    history = await db_rows(settings, "SELECT status FROM status_history ORDER BY id")
    assert [h["status"] for h in history] == ["created", "in_transit"]
    assert len(await db_rows(settings, "SELECT id FROM outbox")) == 2


async def test_late_and_out_of_order_events_never_move_backwards(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    shipment = await created_shipment(client, shop)
    oid = shipment["ozon_order_id"]
    arrived = await post_signed(client, shop, event(oid, "arrived", "e-arr"))
    late = await post_signed(client, shop, event(oid, "in_transit", "e-transit"))
    assert arrived.json()["outcome"] == "applied"  # in_transit was skipped (lost): still forward
    assert late.json()["outcome"] == "stale"
    got = await client.get(f"/api/v1/shipments/{shipment['id']}", headers=shop.headers)
    assert got.json()["status"] == "arrived"
    delivered = await post_signed(
        client,
        shop,
        event(
            oid,
            "delivered",
            "e-del",
            items=[
                {"sku": "A-100", "quantity": 2, "accepted_quantity": 2, "returned_quantity": 0},
                {"sku": "B-200", "quantity": 1, "accepted_quantity": 1, "returned_quantity": 0},
            ],
        ),
    )
    assert delivered.json()["outcome"] == "applied"
    after_final = await post_signed(client, shop, event(oid, "returned", "e-ret"))
    assert after_final.json()["outcome"] == "stale"
    got = await client.get(f"/api/v1/shipments/{shipment['id']}", headers=shop.headers)
    assert got.json()["status"] == "delivered"
    assert [i["accepted_quantity"] for i in got.json()["items"]] == [2, 1]


async def test_signed_but_malformed_event_is_422_and_changes_nothing(
    client: httpx.AsyncClient, shop: ShopHandle, settings: Settings
) -> None:
    for body in (b"not json", event("RKT-1", "teleported", "e-x"), b'{"event_id": "x"}'):
        resp = await post_signed(client, shop, body)
        assert resp.status_code == 422, resp.text
    assert await db_rows(settings, "SELECT * FROM webhook_events") == []


async def test_webhook_for_unknown_shop_is_401(client: httpx.AsyncClient) -> None:
    body = event("RKT-1", "in_transit", "e-u")
    resp = await client.post(
        "/webhooks/ozon-rocket/00000000-0000-0000-0000-000000000000",
        content=body,
        headers={"X-Ozon-Signature": sign("whsec_whatever1", int(time.time()), body)},
    )
    assert resp.status_code == 401


async def test_sandbox_webhooks_reach_the_bridge_end_to_end(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    sandbox = ozon_sandbox.state.sandbox
    sandbox.webhooks.register(
        "seller-1", f"http://bridge.test/webhooks/ozon-rocket/{shop.id}", [shop.webhook_secret]
    )
    shipment = await created_shipment(client, shop)
    oid = shipment["ozon_order_id"]
    for status in ("in_transit", "arrived"):
        await sandbox.advance_order(oid, status, wait=True)
    event_ids = list(sandbox.webhooks.events)
    await sandbox.redeliver(event_ids[0], wait=True)  # a duplicate, late
    got = await client.get(f"/api/v1/shipments/{shipment['id']}", headers=shop.headers)
    assert got.json()["status"] == "arrived"
    assert [h["source"] for h in got.json()["status_history"]] == ["create", "webhook", "webhook"]
