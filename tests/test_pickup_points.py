"""Pickup points: the sync from the Ozon sandbox, search, and the point checks of calculate and
shipments."""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from structlog.testing import capture_logs

from app.config import Settings
from app.errors import CarrierUnavailable
from app.main import create_app
from app.pickup_points.models import PickupPoint as PointRow
from app.pickup_points.models import PickupPointSync
from app.pickup_points.sync import SYNC_LOCK_KEY, SyncScheduler, run_sync
from app.runtime import Runtime
from app.sandbox.ozon_rocket.app import create_ozon_rocket_sandbox
from app.sandbox.ozon_rocket.config import SandboxConfig
from app.sandbox.ozon_rocket.faults import Fault
from app.sandbox.ozon_rocket.network import PickupNetwork, PickupPoint
from app.sandbox.ozon_rocket.state import SandboxState
from app.shipments.models import Shipment
from tests.conftest import ADMIN, ShopHandle, make_shop
from tests.serving import serve_in_thread

NETWORK_SIZE = 2000  # big enough to hold the contract's example points
SYNC = "/api/v1/pickup-points/sync"
SEARCH = "/api/v1/pickup-points"


@pytest.fixture
async def ozon_sandbox() -> AsyncIterator[FastAPI]:
    sandbox = create_ozon_rocket_sandbox(
        SandboxConfig(
            pickup_point_count=NETWORK_SIZE,
            webhook_retry_delays=(0.0, 0.0),
            rate_limit_per_second=None,
        )
    )
    async with sandbox.router.lifespan_context(sandbox):
        yield sandbox


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Several pages per sync (2000 points), and quick page retries.
    return settings.model_copy(
        update={"pickup_sync_page_size": 500, "pickup_sync_page_attempts": 2}
    )


def sandbox_state(sandbox: FastAPI) -> SandboxState:
    state: SandboxState = sandbox.state.sandbox
    return state


def network(sandbox: FastAPI) -> PickupNetwork:
    return sandbox_state(sandbox).network


def runtime_of(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


def page_requests(sandbox: FastAPI) -> int:
    requests: Any = sandbox_state(sandbox).stats()["requests"]
    return int(requests.get("/v1/pickup-points", 0))


async def sync(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    resp = await client.post(SYNC, headers=ADMIN, params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    resp = await client.get(SEARCH, params=params, headers=ADMIN)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


@pytest.fixture
async def synced(client: httpx.AsyncClient, shop: ShopHandle) -> dict[str, Any]:
    return await sync(client)


async def db_points(app: FastAPI) -> dict[str, PointRow]:
    async with runtime_of(app).session_factory() as session:
        return {p.id: p for p in await session.scalars(select(PointRow))}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def active_in_sandbox(sandbox: FastAPI, keep: Callable[[PickupPoint], bool]) -> set[str]:
    return {p.id for p in network(sandbox).listing() if p.is_active and keep(p)}


# --- sync ---


async def test_first_sync_adds_the_whole_network(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    report = await sync(client)
    points = network(ozon_sandbox).listing()
    active = sum(p.is_active for p in points)
    assert report["added"] == report["total"] == len(points) == NETWORK_SIZE
    assert report["updated"] == report["deactivated"] == 0
    assert report["active"] == active < NETWORK_SIZE  # the sandbox keeps ~3 % inactive
    assert report["pages"] == 4  # 500 a page
    stored = await db_points(app)
    assert len(stored) == NETWORK_SIZE
    assert sum(p.is_active for p in stored.values()) == active
    tverskaya = stored["PVZ-77-000123"]
    assert (tverskaya.city, tverskaya.city_key, tverskaya.lat) == ("Москва", "москва", 55.7601)
    assert (tverskaya.side_max, tverskaya.side_mid, tverskaya.side_min) == (1200, 800, 800)
    assert tverskaya.ozon_updated_at is not None
    async with runtime_of(app).session_factory() as session:
        log = (await session.scalars(select(PickupPointSync))).one()
    assert (log.state, log.trigger, log.added, log.pages) == ("succeeded", "api", NETWORK_SIZE, 4)


async def test_a_second_sync_changes_nothing(
    client: httpx.AsyncClient, synced: dict[str, Any], app: FastAPI
) -> None:
    before = {p.id: p.updated_at for p in (await db_points(app)).values()}
    report = await sync(client)
    assert (report["added"], report["updated"], report["deactivated"]) == (0, 0, 0)
    assert report["total"] == NETWORK_SIZE
    after = {p.id: p.updated_at for p in (await db_points(app)).values()}
    assert after == before  # no row rewritten


async def test_vanished_and_inactive_points_stop_being_offered_and_come_back(
    client: httpx.AsyncClient, synced: dict[str, Any], ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    net, now = network(ozon_sandbox), datetime.now(UTC)
    gone = net.get("PVZ-77-000123")
    assert gone is not None
    net.remove(gone.id)
    net.update("LCK-78-000045", {"is_active": False}, now)
    renamed = next(p for p in net.listing("Казань") if p.is_active)
    net.update(renamed.id, {"working_hours": "Пн-Пт 09:00-18:00"}, now)
    net.put(replace(gone, id="PVZ-77-999001", name="Ozon ПВЗ Новая 1"))

    report = await sync(client)
    assert (report["added"], report["updated"], report["deactivated"]) == (1, 1, 2)
    assert report["total"] == NETWORK_SIZE  # one gone, one new
    stored = await db_points(app)
    assert not stored["PVZ-77-000123"].is_active  # kept, but no longer offered
    assert not stored["LCK-78-000045"].is_active
    assert stored[renamed.id].working_hours == "Пн-Пт 09:00-18:00"
    assert stored[renamed.id].updated_at > stored["PVZ-77-000124"].updated_at
    found = await search(client, city="Москва", limit=100, lat=55.7601, lon=37.611, radius_km=1)
    ids = {p["id"] for p in found["points"]}
    assert "PVZ-77-000123" not in ids
    assert "PVZ-77-999001" in ids
    missing = await client.get(f"{SEARCH}/PVZ-77-000123", headers=ADMIN)
    assert missing.status_code == 404

    net.put(gone)
    net.update("LCK-78-000045", {"is_active": True}, now)
    back = await sync(client)
    assert (back["added"], back["updated"], back["deactivated"]) == (0, 2, 0)
    assert (await client.get(f"{SEARCH}/PVZ-77-000123", headers=ADMIN)).status_code == 200


async def test_a_failing_page_is_fetched_again(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    # 4 failures: more than the client's own 3 attempts, so the sync asks for the page again.
    sandbox_state(ozon_sandbox).faults.add(
        Fault(path_prefix="/v1/pickup-points", status=503, count=4)
    )
    report = await sync(client)
    assert report["added"] == NETWORK_SIZE
    assert page_requests(ozon_sandbox) == 4 + report["pages"]


async def test_a_sync_failing_half_way_keeps_the_previous_network(
    client: httpx.AsyncClient, synced: dict[str, Any], ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    state = sandbox_state(ozon_sandbox)
    before = await db_points(app)
    removed = state.network.listing("Москва")[:50]
    for point in removed:
        state.network.remove(point.id)

    def break_after_second_page(pages: int, points: int) -> None:
        if pages == 2:  # Ozon goes down for good in the middle of the listing
            state.faults.add(Fault(path_prefix="/v1/pickup-points", status=503))

    with pytest.raises(CarrierUnavailable, match="previous network is kept"):
        await run_sync(runtime_of(app), "api", on_page=break_after_second_page)
    after = await db_points(app)
    assert {k: (p.is_active, p.updated_at) for k, p in after.items()} == {
        k: (p.is_active, p.updated_at) for k, p in before.items()
    }
    found = await search(client, city="Москва")
    assert found["total"] == sum(p.is_active and p.city == "Москва" for p in before.values())
    async with runtime_of(app).session_factory() as session:
        states = list(await session.scalars(select(PickupPointSync.state)))
        error = await session.scalar(
            select(PickupPointSync.error).where(PickupPointSync.state == "failed")
        )
    assert sorted(states) == ["failed", "succeeded"]
    assert error is not None
    assert "pickup-point list" in error

    state.faults.clear()
    report = await sync(client)
    assert report["deactivated"] == sum(p.is_active for p in removed)


async def test_only_one_sync_runs_at_a_time(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI, settings: Settings
) -> None:
    # A sync in another process: it holds the advisory lock.
    u = make_url(settings.database_url or "")
    other = await asyncpg.connect(
        host=u.query.get("host") or u.host, port=u.port, user=u.username, database=u.database
    )
    try:
        await other.execute("SELECT pg_advisory_lock($1)", SYNC_LOCK_KEY)
        refused = await client.post(SYNC, headers=ADMIN)
        assert refused.status_code == 409
        assert refused.json()["type"].endswith("/pickup-sync-running")
        assert page_requests(ozon_sandbox) == 0
        await other.execute("SELECT pg_advisory_unlock($1)", SYNC_LOCK_KEY)
    finally:
        await other.close()

    # Two at once in this process: one runs, the other is refused (it does not wait).
    sandbox_state(ozon_sandbox).faults.add(Fault(path_prefix="/v1/pickup-points", latency_ms=150))
    first = asyncio.create_task(client.post(SYNC, headers=ADMIN))
    await asyncio.sleep(0.1)
    second = await client.post(SYNC, headers=ADMIN)
    assert second.status_code == 409
    assert (await first).status_code == 200


async def test_a_sync_that_would_empty_the_network_is_refused_unless_forced(
    client: httpx.AsyncClient, synced: dict[str, Any], ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    net = network(ozon_sandbox)
    for point in list(net.listing())[: NETWORK_SIZE * 3 // 4]:
        net.remove(point.id)
    refused = await client.post(SYNC, headers=ADMIN)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/pickup-sync-refused")
    assert sum(p.is_active for p in (await db_points(app)).values()) == synced["active"]
    forced = await sync(client, force="true")
    assert forced["active"] == sum(p.is_active for p in net.listing())


async def test_sync_without_a_delivery_service_says_so(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await make_shop(client, delivery_id=None)
    resp = await client.post(SYNC, headers=ADMIN)
    assert resp.status_code == 409
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "No Ozon Rocket delivery service is configured" in resp.json()["detail"]
    with capture_logs() as logs:
        wait = await SyncScheduler(runtime_of(app)).run_if_due()
    assert wait > 0
    skipped = [e for e in logs if e["event"] == "pickup_sync_skipped"]
    assert skipped
    assert "delivery service" in skipped[0]["reason"]


async def test_sync_is_the_admins(client: httpx.AsyncClient, shop: ShopHandle) -> None:
    assert (await client.post(SYNC, headers=shop.headers)).status_code == 403
    assert (await client.post(SYNC)).status_code == 401


async def test_the_scheduler_syncs_when_due_and_then_waits(
    client: httpx.AsyncClient, shop: ShopHandle, app: FastAPI, ozon_sandbox: FastAPI
) -> None:
    scheduler = SyncScheduler(runtime_of(app))
    first = await scheduler.run_if_due()  # never synced: due now
    pages = page_requests(ozon_sandbox)
    assert pages == 4
    assert 0 < first <= 600
    again = await scheduler.run_if_due()
    assert page_requests(ozon_sandbox) == pages  # synced a moment ago: not due
    assert 0 < again <= 600
    async with runtime_of(app).session_factory() as session:
        assert await session.scalar(select(PickupPointSync.trigger)) == "schedule"


async def test_the_scheduler_waits_after_a_failed_run(
    shop: ShopHandle, app: FastAPI, ozon_sandbox: FastAPI
) -> None:
    sandbox_state(ozon_sandbox).faults.add(Fault(path_prefix="/v1/pickup-points", status=503))
    scheduler = SyncScheduler(runtime_of(app))
    await scheduler.run_if_due()
    calls = page_requests(ozon_sandbox)
    assert calls > 0
    sandbox_state(ozon_sandbox).faults.clear()
    wait = await scheduler.run_if_due()
    assert page_requests(ozon_sandbox) == calls  # the retry pause has not passed
    assert 0 < wait <= 900


# --- search ---


async def test_city_search_ignores_case_and_yo(
    client: httpx.AsyncClient, synced: dict[str, Any], ozon_sandbox: FastAPI
) -> None:
    expected = active_in_sandbox(ozon_sandbox, lambda p: p.city == "Орёл")
    assert expected
    for spelling in ("Орёл", "орел", "ОРЁЛ", " г. Орел "):
        found = await search(client, city=spelling, limit=100)
        assert {p["id"] for p in found["points"]} == expected, spelling
        assert found["total"] == len(expected)
        assert all("distance_km" not in p for p in found["points"])
    korolev = await search(client, city="королев")
    assert korolev["total"] == len(active_in_sandbox(ozon_sandbox, lambda p: p.city == "Королёв"))


async def test_nearest_first_with_distances_within_the_radius(
    client: httpx.AsyncClient, synced: dict[str, Any], ozon_sandbox: FastAPI
) -> None:
    lat, lon = 55.7558, 37.6173
    found = await search(client, lat=lat, lon=lon, radius_km=5, limit=100)
    distances = [p["distance_km"] for p in found["points"]]
    assert distances == sorted(distances)
    assert all(0 <= d <= 5 for d in distances)
    expected = active_in_sandbox(ozon_sandbox, lambda p: haversine_km(lat, lon, p.lat, p.lon) <= 5)
    assert found["total"] == len(expected) > 20
    nearest = sorted(expected, key=lambda i: haversine_km(lat, lon, *_coords(ozon_sandbox, i)))
    assert [p["id"] for p in found["points"]] == nearest[:100]
    first = found["points"][0]
    assert first["distance_km"] == pytest.approx(
        haversine_km(lat, lon, first["lat"], first["lon"]), abs=0.001
    )
    default = await search(client, lat=lat, lon=lon)  # radius 10, limit 20
    assert len(default["points"]) == 20
    assert max(p["distance_km"] for p in default["points"]) <= 10


def _coords(sandbox: FastAPI, point_id: str) -> tuple[float, float]:
    point = network(sandbox).get(point_id)
    assert point is not None
    return point.lat, point.lon


async def test_nearest_search_across_the_antimeridian(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    net = network(ozon_sandbox)
    template = net.get("PVZ-77-000123")
    assert template is not None
    # Chukotka: the 180th meridian runs between these two.
    net.put(replace(template, id="PVZ-87-000001", city="Анадырь", lat=66.0, lon=179.9))
    net.put(replace(template, id="PVZ-87-000002", city="Анадырь", lat=66.0, lon=-179.95))
    await sync(client)
    found = await search(client, lat=66.0, lon=179.98, radius_km=10)
    assert [p["id"] for p in found["points"]] == ["PVZ-87-000002", "PVZ-87-000001"]
    assert [p["distance_km"] for p in found["points"]] == [
        pytest.approx(haversine_km(66.0, 179.98, 66.0, lon), abs=0.001) for lon in (-179.95, 179.9)
    ]


async def test_filters_by_type_and_payment(
    client: httpx.AsyncClient, synced: dict[str, Any], ozon_sandbox: FastAPI
) -> None:
    lockers = await search(client, city="Москва", type="locker", limit=100)
    assert lockers["points"]
    assert all(p["type"] == "locker" and not p["partial_acceptance"] for p in lockers["points"])
    assert lockers["total"] == len(
        active_in_sandbox(ozon_sandbox, lambda p: p.city == "Москва" and p.type == "locker")
    )
    cod = await search(client, city="Москва", cash_on_delivery="true", card_payment="true")
    assert cod["total"] == len(
        active_in_sandbox(
            ozon_sandbox,
            lambda p: p.city == "Москва" and p.cash_on_delivery and p.card_payment,
        )
    )
    assert all(p["cash_on_delivery"] and p["card_payment"] for p in cod["points"])


@pytest.mark.parametrize(
    ("parcel", "sides"),
    [
        ({"weight": 20000}, None),  # too heavy for lockers and small points
        ({"length": 300, "width": 1000, "height": 300}, (1000, 300, 300)),  # long: large only
        ({"length": 500, "width": 500, "height": 700}, (700, 500, 500)),  # no locker
        ({"weight": 1000, "length": 100, "width": 390, "height": 590}, (590, 390, 100)),
    ],
)
async def test_only_points_the_parcel_fits(
    client: httpx.AsyncClient,
    synced: dict[str, Any],
    ozon_sandbox: FastAPI,
    parcel: dict[str, int],
    sides: tuple[int, int, int] | None,
) -> None:
    found = await search(client, city="Москва", limit=100, **parcel)
    weight = parcel.get("weight", 1)
    shape = sides or (1, 1, 1)
    expected = active_in_sandbox(
        ozon_sandbox, lambda p: p.city == "Москва" and p.fits([(weight, *shape)])
    )
    assert found["total"] == len(expected)
    assert {p["id"] for p in found["points"]} <= expected
    everything = await search(client, city="Москва")
    assert 0 < found["total"] < everything["total"] or sides == (590, 390, 100)


async def test_pages_are_disjoint_and_total_counts_all_matches(
    client: httpx.AsyncClient, synced: dict[str, Any]
) -> None:
    near = {"lat": 59.9386, "lon": 30.3141, "radius_km": 20}
    whole = await search(client, **near, limit=10)
    first = await search(client, **near, limit=5)
    second = await search(client, **near, limit=5, offset=5)
    assert [p["id"] for p in first["points"] + second["points"]] == [
        p["id"] for p in whole["points"]
    ]
    assert first["total"] == second["total"] == whole["total"] > 10
    past = await search(client, **near, limit=5, offset=100_000)
    assert past["points"] == []
    assert past["total"] == whole["total"]
    by_city = [await search(client, city="Казань", limit=7, offset=o) for o in (0, 7)]
    assert not {p["id"] for p in by_city[0]["points"]} & {p["id"] for p in by_city[1]["points"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 91, "lon": 30}, "lat"),
        ({"lat": 50, "lon": -181}, "lon"),
        ({"lat": 50}, "lon"),
        ({"lon": 30}, "lat"),
        ({"lat": 50, "lon": 30, "radius_km": 0}, "radius_km"),
        ({"lat": 50, "lon": 30, "radius_km": 100.5}, "radius_km"),
        ({"radius_km": 5}, "radius_km"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"weight": 0}, "weight"),
        ({"length": -1, "width": 10, "height": 10}, "length"),
        ({"length": 10, "width": 10}, "height"),
        ({"type": "van"}, "type"),
        ({"cash_on_delivery": "maybe"}, "cash_on_delivery"),
    ],
)
async def test_invalid_search_parameters_are_a_422_naming_the_field(
    client: httpx.AsyncClient, params: dict[str, Any], field: str
) -> None:
    resp = await client.get(SEARCH, params=params, headers=ADMIN)
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert ["query", field] in [e["loc"] for e in resp.json()["errors"]]


async def test_search_needs_a_token_but_the_widgets_search_is_open(
    client: httpx.AsyncClient, synced: dict[str, Any], shop: ShopHandle
) -> None:
    assert (await client.get(SEARCH, params={"city": "Москва"})).status_code == 401
    as_shop = await client.get(SEARCH, params={"city": "Москва"}, headers=shop.headers)
    assert as_shop.status_code == 200
    open_search = await client.get("/widget/pickup-points/search", params={"city": "Москва"})
    assert open_search.status_code == 200
    assert open_search.json() == as_shop.json()
    cities = await client.get("/widget/pickup-points/cities", params={"q": "петер"})
    assert [c["city"] for c in cities.json()["cities"]] == ["Санкт-Петербург"]
    assert (await client.post("/widget/pickup-points/search")).status_code == 405


async def test_city_suggestions_put_the_exact_match_first(
    client: httpx.AsyncClient, synced: dict[str, Any]
) -> None:
    resp = await client.get(f"{SEARCH}/cities", params={"q": "новгород"}, headers=ADMIN)
    names = [c["city"] for c in resp.json()["cities"]]
    assert names[0] == "Нижний Новгород"
    moscow = (await client.get(f"{SEARCH}/cities", params={"q": "МОСКВА"}, headers=ADMIN)).json()
    assert moscow["cities"][0]["city"] == "Москва"
    assert moscow["cities"][0]["lat"] == pytest.approx(55.75, abs=0.2)


# --- the point checks of calculate and shipments ---


def calc_body(shop: ShopHandle, point_id: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shop_id": shop.id,
        "bitrix_delivery_id": 12,
        "delivery_type": "to_pickup_point",
        "pickup_point_id": point_id,
        "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
        "declared_value": 4990.00,
    }
    body.update(over)
    return body


def shipment_body(shop: ShopHandle, point_id: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shop_id": shop.id,
        "bitrix_delivery_id": 12,
        "bitrix_order_id": 10452,
        "bitrix_shipment_id": 20871,
        "delivery_type": "pickup_point",
        "pickup_point_id": point_id,
        "recipient": {"name": "Иван Петров", "phone": "+79161234567"},
        "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
        "items": [
            {
                "bitrix_basket_item_id": 789,
                "sku": "A-100",
                "name": "Кружка",
                "quantity": 2,
                "price": 500.00,
                "declared_price": 500.00,
            }
        ],
        "payment_method": "prepaid",
        "paid_amount": 1000.00,
        "declared_value": 1000.00,
    }
    body.update(over)
    return body


async def test_calculate_checks_the_point_once_the_network_is_synced(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    # Never synced: the bridge knows no point, so Ozon alone judges (and knows this one).
    unsynced = await client.post(
        "/api/v1/calculate", json=calc_body(shop, "PVZ-77-000123"), headers=shop.headers
    )
    assert unsynced.status_code == 200, unsynced.text
    await sync(client)
    network(ozon_sandbox).update("PVZ-77-000124", {"is_active": False}, datetime.now(UTC))
    await sync(client)
    big = [{"weight": 1000, "length": 700, "width": 300, "height": 300}]
    for point_id, over, words in [
        ("PVZ-77-777777", {}, "is not in the Ozon Rocket network"),
        ("PVZ-77-000124", {}, "no longer accepts parcels"),
        ("LCK-78-000045", {"packages": big}, "does not fit pickup point LCK-78-000045"),
    ]:
        resp = await client.post(
            "/api/v1/calculate", json=calc_body(shop, point_id, **over), headers=shop.headers
        )
        assert resp.status_code == 422, resp.text
        assert words in resp.json()["detail"]
        assert resp.json()["errors"][0]["loc"] == ["body", "pickup_point_id"]
    ok = await client.post(
        "/api/v1/calculate", json=calc_body(shop, "LCK-78-000045"), headers=shop.headers
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["selected"] is not None


async def test_a_locker_shipment_never_asks_for_partial_acceptance(
    client: httpx.AsyncClient, synced: dict[str, Any], shop: ShopHandle, app: FastAPI
) -> None:
    locker = await client.post(
        "/api/v1/shipments", json=shipment_body(shop, "LCK-78-000045"), headers=shop.headers
    )
    assert locker.status_code == 201, locker.text
    pvz = await client.post(
        "/api/v1/shipments",
        json=shipment_body(shop, "PVZ-77-000123", bitrix_order_id=10453, bitrix_shipment_id=2),
        headers=shop.headers,
    )
    assert pvz.status_code == 201, pvz.text
    async with runtime_of(app).session_factory() as session:
        rows = await session.execute(
            select(Shipment.pickup_point_id, Shipment.allow_partial_acceptance)
        )
        partial = {point_id: allowed for point_id, allowed in rows}
    assert partial == {"LCK-78-000045": False, "PVZ-77-000123": True}


async def test_a_shipment_to_an_inactive_point_is_refused_before_ozon(
    client: httpx.AsyncClient, synced: dict[str, Any], shop: ShopHandle, ozon_sandbox: FastAPI
) -> None:
    network(ozon_sandbox).remove("PVZ-77-000123")
    await sync(client)
    resp = await client.post(
        "/api/v1/shipments", json=shipment_body(shop, "PVZ-77-000123"), headers=shop.headers
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"][0]["loc"] == ["body", "pickup_point_id"]
    assert len(sandbox_state(ozon_sandbox).orders) == 0


async def test_the_synced_table_is_what_the_check_reads(app: FastAPI) -> None:
    # Empty table: nothing to check against, every id passes (Ozon validates).
    from app.pickup_points.service import check_pickup_point, network_synced

    async with runtime_of(app).session_factory() as session:
        assert not await network_synced(session)
        await check_pickup_point(session, "ANY-" + uuid.uuid4().hex, [])
        count = await session.scalar(select(func.count()).select_from(PointRow))
    assert count == 0


# --- the CLI ---


async def test_the_cli_syncs_with_a_progress_bar(
    client: httpx.AsyncClient, shop: ShopHandle, settings: Settings
) -> None:
    sandbox = create_ozon_rocket_sandbox(
        SandboxConfig(pickup_point_count=NETWORK_SIZE, rate_limit_per_second=None)
    )
    assert settings.secret_key is not None
    with serve_in_thread(sandbox) as ozon_url:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app",
            "pickup-points",
            "sync",
            env={
                **os.environ,
                "DATABASE_URL": settings.database_url or "",
                "SECRET_KEY": settings.secret_key.get_secret_value(),
                "OZON_BASE_URL": ozon_url,
                "PICKUP_SYNC_PAGE_SIZE": "400",
                "COLUMNS": "120",
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    assert f"added {NETWORK_SIZE}, updated 0, deactivated 0, total {NETWORK_SIZE}" in out.decode()
    assert "in 5 pages" in out.decode()
    assert f"{NETWORK_SIZE}/{NETWORK_SIZE}" in err.decode()  # the bar, finished
    found = await search(client, city="Москва")
    assert found["total"] > 0


# --- the widget page ---


async def widget_app(settings: Settings, vendor_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"widget_vendor_dir": str(vendor_dir)}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as c,
    ):
        yield c


def widget_config(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="orw-config">(.*?)</script>', page)
    assert match is not None
    config: dict[str, Any] = json.loads(match.group(1))
    return config


async def test_the_widget_page_is_open_and_configured_by_its_query(
    settings: Settings, tmp_path: Path
) -> None:
    async for c in widget_app(settings, tmp_path):
        resp = await c.get(
            "/widget/pickup-points",
            params={"city": "Москва", "weight": 1200, "origin": "https://shop.example.ru"},
        )
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/html")
        assert "frame-ancestors *" in resp.headers["content-security-policy"]
        config = widget_config(resp.text)
        assert config["targetOrigin"] == "https://shop.example.ru"
        assert config["initial"]["city"] == "Москва"
        assert config["initial"]["weight"] == 1200
        assert config["map"] is False  # no Leaflet in this vendor dir: the list alone
        assert "leaflet" not in resp.text
        assert config["tileUrl"] == settings.widget_tile_url
        default = widget_config((await c.get("/widget/pickup-points")).text)
        assert default["targetOrigin"] == settings.widget_parent_origin == "*"
        bad = await c.get("/widget/pickup-points", params={"origin": "javascript:alert(1)"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["loc"] == ["query", "origin"]
        for name in ("widget.js", "widget.css"):
            static = await c.get(f"/widget/static/{name}")
            assert static.status_code == 200, name
        # The checkout script ships with the Bitrix module (install/js/…/checkout.js), not here.
        assert (await c.get("/widget/static/bitrix-checkout.js")).status_code == 404
        assert (await c.get("/widget/static/vendor/leaflet/leaflet.js")).status_code == 404


async def test_the_widget_serves_leaflet_from_where_npm_put_it(
    settings: Settings, tmp_path: Path
) -> None:
    dist = tmp_path / "leaflet" / "dist"
    dist.mkdir(parents=True)
    (dist / "leaflet.js").write_text("/* leaflet */")
    (dist / "leaflet.css").write_text("/* css */")
    async for c in widget_app(settings, tmp_path):
        page = (await c.get("/widget/pickup-points")).text
        assert widget_config(page)["map"] is True
        assert 'src="static/vendor/leaflet/leaflet.js"' in page
        served = await c.get("/widget/static/vendor/leaflet/leaflet.js")
        assert served.status_code == 200
        assert served.text == "/* leaflet */"
