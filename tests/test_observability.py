"""Operations: /metrics with bounded labels, and logs that carry ids but never a secret."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from app.config import Settings
from app.ozon.signature import sign
from tests.bitrix_world import drain, wire_bitrix
from tests.conftest import ADMIN, DEFAULT_PARAMS, ShopHandle, make_shop
from tests.test_calculate import calc_body
from tests.test_shipments import shipment_body
from tests.test_webhooks import event, post_signed


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [
        (s.name, s.labels, s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def value(text: str, name: str, **labels: str) -> float:
    return sum(v for n, lbls, v in samples(text) if n == name and labels.items() <= lbls.items())


async def test_metrics_count_requests_by_route_template_never_by_raw_path(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    created = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    shipment_id = created.json()["id"]
    for _ in range(2):
        await client.get(f"/api/v1/shipments/{shipment_id}", headers=shop.headers)
    await client.get(f"/api/v1/shipments/{uuid.uuid4()}", headers=shop.headers)
    await client.get("/no/such/path/12345")

    resp = await client.get("/metrics")

    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    route = "/api/v1/shipments/{shipment_id}"
    assert value(text, "bridge_http_requests_total", route=route, status="200") == 2
    assert value(text, "bridge_http_requests_total", route=route, status="404") == 1
    assert value(text, "bridge_http_requests_total", route="unmatched", status="404") == 1
    assert value(text, "bridge_http_request_duration_seconds_count", route=route) == 3
    # Bounded labels: no id and no raw path ever becomes a label value.
    for _, labels, _ in samples(text):
        for label in labels.values():
            assert shipment_id not in label
            assert "12345" not in label
            assert shop.id not in label


async def test_metrics_count_ozon_calls_by_endpoint_and_outcome(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    created = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    await client.post(f"/api/v1/shipments/{created.json()['id']}/refresh", headers=shop.headers)

    text = (await client.get("/metrics")).text

    ok = "success"
    assert value(text, "bridge_ozon_calls_total", endpoint="POST /v1/calculate", outcome=ok) == 1
    assert value(text, "bridge_ozon_calls_total", endpoint="POST /v1/orders", outcome=ok) == 1
    assert (
        value(text, "bridge_ozon_calls_total", endpoint="GET /v1/orders/{order_id}", outcome=ok)
        == 1
    )
    assert value(text, "bridge_ozon_call_duration_seconds_count", endpoint="POST /v1/calculate")


async def test_metrics_count_webhook_signature_failures_by_reason(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    body = event("ozr_1", "in_transit", "e-bad")
    wrong = await post_signed(client, shop, body, secret="whsec_wrong_secret_123")
    stale = await post_signed(client, shop, body, t=int(time.time()) - 3600)
    missing = await client.post(f"/webhooks/ozon-rocket/{shop.id}", content=body)
    assert (wrong.status_code, stale.status_code, missing.status_code) == (401, 401, 401)

    text = (await client.get("/metrics")).text

    assert value(text, "bridge_webhook_signature_failures_total") == 3
    reasons = {
        lbls["reason"]
        for n, lbls, _ in samples(text)
        if n == "bridge_webhook_signature_failures_total"
    }
    assert len(reasons) >= 2


async def test_metrics_show_outbox_depth_dead_letters_and_pickup_sync_age(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    before = (await client.get("/metrics")).text
    assert value(before, "bridge_outbox_messages", state="pending") == 0
    assert value(before, "bridge_outbox_dead_letters") == 0
    # No sync has run yet: no age to report rather than a misleading zero.
    assert "bridge_pickup_point_sync_age_seconds" not in before

    await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    synced = await client.post("/api/v1/pickup-points/sync", headers=ADMIN)
    assert synced.status_code == 200, synced.text

    after = (await client.get("/metrics")).text

    assert value(after, "bridge_outbox_messages", state="pending") == 1
    assert value(after, "bridge_outbox_oldest_pending_age_seconds") >= 0
    assert 0 <= value(after, "bridge_pickup_point_sync_age_seconds") < 60


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["migrations"]["current"] == ready.json()["migrations"]["head"]


async def test_no_secret_reaches_any_log_line(
    app: FastAPI,
    client: httpx.AsyncClient,
    bitrix_sandbox: FastAPI,
    capfd: pytest.CaptureFixture[str],
) -> None:
    api_key = "ozon-api-key-" + uuid.uuid4().hex
    shop = await make_shop(client, params={**DEFAULT_PARAMS, "OZON_API_KEY": api_key})
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    portal.seed(10452, 20871)
    bitrix_secret = portal.url.rstrip("/").rsplit("/", 1)[-1]
    secrets = [api_key, shop.webhook_secret, shop.token, bitrix_secret, portal.url]

    calc = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    assert calc.status_code == 200, calc.text
    created = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert created.status_code == 201, created.text
    ozon_order_id = created.json()["ozon_order_id"]
    ok = await post_signed(client, shop, event(ozon_order_id, "in_transit", "e-1"))
    assert ok.status_code == 200, ok.text
    body = event(ozon_order_id, "delivered", "e-2")
    forged = sign(shop.webhook_secret + "x", int(time.time()), body)
    bad = await client.post(
        f"/webhooks/ozon-rocket/{shop.id}", content=body, headers={"X-Ozon-Signature": forged}
    )
    assert bad.status_code == 401
    await client.get("/api/v1/shops/" + shop.id, headers={"Authorization": f"Bearer {api_key}"})
    assert await drain(app) > 0

    out = capfd.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(lines) > 10
    for secret in secrets:
        assert secret not in out, f"a secret reached the logs: {secret[:8]}…"
    # The ids that are known are bound to the request's lines.
    requests: list[dict[str, Any]] = [line for line in lines if line.get("event") == "request"]
    shipment_lines = [r for r in requests if r.get("shipment_id") == created.json()["id"]]
    assert shipment_lines
    assert all(r.get("shop_id") == shop.id for r in shipment_lines)
    assert all("request_id" in r for r in requests)
    assert any(line.get("ozon_request_id") for line in lines if line.get("event") == "ozon_call")


async def test_oversized_chunked_body_is_413_without_reaching_the_app(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(settings.max_request_bytes // 1000 + 2):
            yield b"x" * 1000

    resp = await client.post("/api/v1/shops", content=chunks(), headers=ADMIN)
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/problem+json"

    async def small() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        yield b'Chunked"}'

    ok = await client.post(
        "/api/v1/shops", content=small(), headers={**ADMIN, "Content-Type": "application/json"}
    )
    assert ok.status_code == 201, ok.text


async def test_readiness_is_503_before_migrations_and_without_a_database(
    settings: Settings, database_url: str
) -> None:
    from sqlalchemy.engine import make_url

    from app.main import create_app
    from tests.conftest import _admin_execute

    empty = f"ozon_bridge_unmigrated_{uuid.uuid4().hex[:8]}"
    await _admin_execute(database_url, f'CREATE DATABASE "{empty}"')
    try:
        cases = {
            "migrations": make_url(database_url).set(database=empty).render_as_string(False),
            "database": "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere",
        }
        for what, url in cases.items():
            app = create_app(settings.model_copy(update={"database_url": url}))
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://bridge.test"
                ) as c,
            ):
                resp = await c.get("/readyz")
                assert resp.status_code == 503, what
                assert what in resp.json(), resp.json()
                assert (await c.get("/healthz")).status_code == 200
    finally:
        await _admin_execute(database_url, f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
