"""Each shop's rate limit towards its Bitrix: configurable, paced, and a real shop-wide pause."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.config import Settings
from app.outbox.throttle import take_slot
from app.sandbox.bitrix import BitrixSandboxConfig, FakeClock, create_bitrix_sandbox
from tests.bitrix_world import Portal, dispatcher, drain, wire_bitrix
from tests.conftest import ADMIN, ShopHandle, make_shop
from tests.test_outbox import ship
from tests.test_partial_acceptance import ORDER, basket, deliver_partly, outcome
from tests.test_partial_acceptance import ship as ship_order
from tests.test_webhooks import event, post_signed

# Long enough that nothing in a test outlasts a pause by accident; tests end pauses themselves.
PAUSE = 30.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "bitrix_query_limit_wait": PAUSE,
            "bitrix_operating_limit_wait": PAUSE,
            "bitrix_rate_per_second": Decimal("1.5"),
            "bitrix_burst": 20,
        }
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bitrix_sandbox(clock: FakeClock) -> FastAPI:
    """The emulator on a clock the test moves: its bucket drains only when told."""
    return create_bitrix_sandbox(BitrixSandboxConfig(clock=clock))


# ---- configuration ----------------------------------------------------------------------------


async def test_a_new_shop_gets_the_configured_bucket_unless_it_brings_its_own(
    client: httpx.AsyncClient,
) -> None:
    default = await make_shop(client, delivery_id=None)
    assert (default.body["bitrix_rate_per_second"], default.body["bitrix_burst"]) == (1.5, 20)

    own = await client.post(
        "/api/v1/shops",
        json={"name": "Свой лимит", "bitrix_rate_per_second": 4.5, "bitrix_burst": 200},
        headers=ADMIN,
    )
    assert own.status_code == 201, own.text
    assert (own.json()["bitrix_rate_per_second"], own.json()["bitrix_burst"]) == (4.5, 200)


async def test_a_shop_changes_its_bucket_with_patch(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    changed = await client.patch(
        f"/api/v1/shops/{shop.id}", json={"bitrix_burst": 10}, headers=shop.headers
    )
    assert changed.status_code == 200, changed.text

    read = (await client.get(f"/api/v1/shops/{shop.id}", headers=shop.headers)).json()
    assert (read["bitrix_rate_per_second"], read["bitrix_burst"]) == (1.5, 10)


@pytest.mark.parametrize(
    "fields",
    [
        {"bitrix_rate_per_second": 0},
        {"bitrix_rate_per_second": 51},
        {"bitrix_rate_per_second": 1.955},
        {"bitrix_burst": 0},
        {"bitrix_burst": 1001},
    ],
)
async def test_a_bucket_out_of_bounds_is_refused(
    client: httpx.AsyncClient, shop: ShopHandle, fields: dict[str, Any]
) -> None:
    created = await client.post("/api/v1/shops", json={"name": "x", **fields}, headers=ADMIN)
    patched = await client.patch(f"/api/v1/shops/{shop.id}", json=fields, headers=shop.headers)

    assert (created.status_code, patched.status_code) == (422, 422)
    assert created.headers["content-type"].startswith("application/problem+json")


# ---- pacing -----------------------------------------------------------------------------------


async def test_take_slot_lets_a_burst_through_then_paces_at_the_shop_rate(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    created = await client.post(
        "/api/v1/shops",
        json={"name": "Медленный", "bitrix_rate_per_second": 2, "bitrix_burst": 3},
        headers=ADMIN,
    )
    shop_id = uuid.UUID(created.json()["id"])
    engine = app.state.runtime.engine
    t0 = datetime(2025, 1, 1, tzinfo=UTC)

    async def slot(after: float) -> float:
        return await take_slot(engine, shop_id, now=t0 + timedelta(seconds=after))

    assert [await slot(0) for _ in range(3)] == [0.0, 0.0, 0.0]  # the burst
    assert await slot(0) == pytest.approx(0.5)  # full: one request drains in 1/2 s
    assert await slot(0.25) == pytest.approx(0.25)  # a refused request takes no slot
    assert await slot(0.5) == 0.0
    assert await slot(0.5) == pytest.approx(0.5)
    assert [await slot(10) for _ in range(4)] == [0.0, 0.0, 0.0, pytest.approx(0.5)]
    assert await slot(9) == pytest.approx(0.5)  # a clock going back drains nothing


# ---- the shop-wide pause ----------------------------------------------------------------------


async def shop_pause(app: FastAPI, shop: ShopHandle) -> datetime | None:
    async with app.state.runtime.engine.connect() as conn:
        until: datetime | None = (
            await conn.execute(
                text(
                    "SELECT bitrix_paused_until FROM shops"
                    " WHERE id = :id AND bitrix_paused_until > now()"
                ),
                {"id": uuid.UUID(shop.id)},
            )
        ).scalar_one_or_none()
    return until


async def end_pause(app: FastAPI, shop: ShopHandle) -> None:
    """The pause's time has passed (the database's clock is the one pauses are read against)."""
    async with app.state.runtime.engine.begin() as conn:
        await conn.execute(
            text("UPDATE shops SET bitrix_paused_until = now() WHERE id = :id"),
            {"id": uuid.UUID(shop.id)},
        )


async def pending(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    listed = await client.get("/api/v1/outbox?state=pending&limit=500", headers=ADMIN)
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def ship_with_two_statuses(
    client: httpx.AsyncClient, shop: ShopHandle, portal: Portal, count: int
) -> None:
    for n in range(count):
        created = await ship(client, shop, portal, 1000 + n, 2000 + n)
        resp = await post_signed(
            client, shop, event(created["ozon_order_id"], "in_transit", f"t{n}")
        )
        assert resp.json()["outcome"] == "applied"


async def test_query_limit_exceeded_pauses_the_shop_then_all_arrive_in_order(
    app: FastAPI,
    client: httpx.AsyncClient,
    shop: ShopHandle,
    bitrix_sandbox: FastAPI,
    clock: FakeClock,
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    await ship_with_two_statuses(client, shop, portal, 26)  # 26 x 2 commands: two batches
    clock.advance(3600)  # the setup's requests have drained
    portal.state.configure_portal(portal.portal_id, burst=1)  # Bitrix takes one request only
    d = dispatcher(app)
    before = len(portal.state.calls(portal.portal_id, method="batch"))

    assert await d.run_once() == 25  # the first batch lands, the second gets a 503

    batches = portal.state.calls(portal.portal_id, method="batch")[before:]
    assert [c.outcome for c in batches] == ["ok", "QUERY_LIMIT_EXCEEDED"]
    assert await shop_pause(app, shop) is not None
    waiting = [m for m in await pending(client) if m["payload"]["status_id"] == "OS"]
    assert [(m["payload"]["bitrix_shipment_id"], m["attempts"]) for m in waiting] == [(2025, 0)]

    clock.advance(60)  # Bitrix would take requests again, but the shop is paused
    seen = len(portal.state.calls(portal.portal_id))
    assert await d.run_once() == 0
    assert len(portal.state.calls(portal.portal_id)) == seen

    await end_pause(app, shop)
    portal.state.configure_portal(portal.portal_id, burst=50)
    assert await drain(app) == 27
    assert await pending(client) == []
    for n in range(26):
        assert portal.status_updates(2000 + n) == ["OS", "OT"], n


async def test_operation_time_limit_inside_a_batch_pauses_the_shop_without_failing_messages(
    app: FastAPI,
    client: httpx.AsyncClient,
    shop: ShopHandle,
    bitrix_sandbox: FastAPI,
    clock: FakeClock,
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    # One sale.shipment.update spends the method's whole budget for Bitrix's 10-minute window.
    portal.state.configure_portal(
        portal.portal_id,
        operating_limit_enabled=True,
        operating_limit_seconds=1.0,
        method_costs={"sale.shipment.update": 1.0},
    )
    await ship_with_two_statuses(client, shop, portal, 2)
    d = dispatcher(app)

    assert await d.run_once() == 1

    refused = [
        c for c in portal.state.calls(portal.portal_id) if c.outcome == "OPERATION_TIME_LIMIT"
    ]
    assert [str(c.params["id"]) for c in refused] == ["2001"]
    assert await shop_pause(app, shop) is not None
    waiting = [m for m in await pending(client) if m["payload"]["status_id"] == "OS"]
    assert [(m["payload"]["bitrix_shipment_id"], m["attempts"]) for m in waiting] == [(2001, 0)]
    assert waiting[0]["last_error"] is None

    seen = len(portal.state.calls(portal.portal_id))
    assert await d.run_once() == 0
    assert len(portal.state.calls(portal.portal_id)) == seen

    clock.advance(601)  # the operating window has passed
    await end_pause(app, shop)
    portal.state.configure_portal(portal.portal_id, operating_limit_enabled=False)
    assert await drain(app) == 3
    assert portal.status_updates(2000) == ["OS", "OT"]
    assert portal.status_updates(2001) == ["OS", "OT"]


async def test_operation_time_limit_inside_a_return_batch_pauses_the_shop_too(
    app: FastAPI,
    client: httpx.AsyncClient,
    shop: ShopHandle,
    bitrix_sandbox: FastAPI,
    clock: FakeClock,
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship_order(client, shop, portal)
    # The return reads the order (spending sale.order.get's budget for Bitrix's window), then
    # its batch reads it again to check the total: that command is refused inside the batch.
    portal.state.configure_portal(
        portal.portal_id,
        operating_limit_enabled=True,
        operating_limit_seconds=1.0,
        method_costs={"sale.order.get": 1.0},
    )
    await deliver_partly(client, shop, shipment["ozon_order_id"], outcome(1, 1))
    await drain(app)

    assert await shop_pause(app, shop) is not None
    waiting = [m for m in await pending(client) if m["kind"] != "status_push"]
    assert [(m["attempts"], m["last_error"]) for m in waiting] == [(0, None)]

    clock.advance(601)
    await end_pause(app, shop)
    portal.state.configure_portal(portal.portal_id, operating_limit_enabled=False)
    await drain(app)
    assert await pending(client) == []
    assert sum(basket(portal).values()) == 2  # one mug and the kettle kept
    assert Decimal(str(portal.order(ORDER)["price"])) == Decimal("4839.90")
