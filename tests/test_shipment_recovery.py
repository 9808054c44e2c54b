"""Pending shipments recovered by the reconciler: a create whose outcome was never learnt is sent
again (Ozon's 409 hands over the order it has); one Ozon refused waits for a corrected post."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from app.runtime import Runtime
from app.sandbox.ozon_rocket.faults import Fault
from app.shipments.reconciler import Reconciler
from tests.conftest import ShopHandle
from tests.test_shipments import ozon_orders, pickup_body, shipment_body


def reconciler(app: FastAPI, pending_after: timedelta | None) -> Reconciler:
    runtime: Runtime = app.state.runtime
    return Reconciler(
        runtime.session_factory,
        runtime.carrier,
        runtime.lookup,
        stale_after=timedelta(hours=1),
        batch=10,
        pending_after=pending_after,
    )


async def only_shipment(client: httpx.AsyncClient, shop: ShopHandle) -> dict[str, object]:
    listed = await client.get("/api/v1/shipments", headers=shop.headers)
    assert listed.json()["total"] == 1
    shipment: dict[str, object] = listed.json()["items"][0]
    return shipment


async def test_a_create_whose_answer_was_lost_is_adopted_not_made_twice(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    faults = ozon_sandbox.state.sandbox.faults
    faults.add(Fault(path_prefix="/v1/orders", method="POST", status=504, phase="response"))
    lost = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    faults.clear()
    assert lost.status_code == 503, lost.text
    assert (await only_shipment(client, shop))["status"] == "pending"

    # Not yet due: a pending shipment is left to Bitrix's own re-post for a while.
    assert await reconciler(app, timedelta(hours=1)).run_once() == 0
    assert (await only_shipment(client, shop))["status"] == "pending"

    assert await reconciler(app, timedelta(0)).run_once() == 1
    recovered = await only_shipment(client, shop)
    orders = ozon_orders(ozon_sandbox)
    assert len(orders) == 1
    assert recovered["status"] == "created"
    assert recovered["ozon_order_id"] == orders[0].order_id
    assert recovered["tracking_number"] == orders[0].tracking_number

    assert await reconciler(app, timedelta(0)).run_once() == 0
    assert len(ozon_orders(ozon_sandbox)) == 1
    again = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert again.status_code == 200
    assert again.json()["ozon_order_id"] == orders[0].order_id


async def test_a_create_ozon_never_received_is_sent_by_the_reconciler(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    faults = ozon_sandbox.state.sandbox.faults
    faults.add(Fault(path_prefix="/v1/orders", method="POST", status=503))
    down = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    faults.clear()
    assert down.status_code == 503, down.text
    assert ozon_orders(ozon_sandbox) == []

    assert await reconciler(app, timedelta(0)).run_once() == 1
    orders = ozon_orders(ozon_sandbox)
    assert len(orders) == 1
    assert (await only_shipment(client, shop))["ozon_order_id"] == orders[0].order_id


async def test_a_shipment_ozon_refused_is_not_sent_again(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    refused = await client.post(
        "/api/v1/shipments", json=pickup_body(shop, "PVZ-00-999999"), headers=shop.headers
    )
    assert refused.status_code == 422, refused.text
    requests_before = dict(ozon_sandbox.state.sandbox.stats()["requests"])

    assert await reconciler(app, timedelta(0)).run_once() == 0
    assert ozon_sandbox.state.sandbox.stats()["requests"] == requests_before
    pending = await only_shipment(client, shop)
    assert pending["status"] == "pending"
    assert str(pending["last_error"]).startswith("Ozon Rocket rejected the shipment")


async def test_a_shipment_ozon_refused_can_be_cancelled_and_is_not_sent_again(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    faults = ozon_sandbox.state.sandbox.faults
    faults.add(Fault(path_prefix="/v1/orders", method="POST", status=400))
    refused = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    faults.clear()
    assert refused.status_code == 422, refused.text
    shipment = await only_shipment(client, shop)

    cancelled = await client.post(
        f"/api/v1/shipments/{shipment['id']}/cancel", headers=shop.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["bitrix_status_id"] == "DD"
    assert await reconciler(app, timedelta(0)).run_once() == 0
    assert ozon_orders(ozon_sandbox) == []


async def test_a_shipment_whose_answer_was_lost_is_not_cancelled_blind(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: FastAPI, app: FastAPI
) -> None:
    faults = ozon_sandbox.state.sandbox.faults
    faults.add(Fault(path_prefix="/v1/orders", method="POST", status=504, phase="response"))
    lost = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    faults.clear()
    assert lost.status_code == 503, lost.text
    shipment = await only_shipment(client, shop)

    # Ozon holds the order: cancelling only here would leave it to be delivered.
    early = await client.post(f"/api/v1/shipments/{shipment['id']}/cancel", headers=shop.headers)
    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"
    assert (await only_shipment(client, shop))["status"] == "pending"

    assert await reconciler(app, timedelta(0)).run_once() == 1
    cancelled = await client.post(
        f"/api/v1/shipments/{shipment['id']}/cancel", headers=shop.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert [o.status for o in ozon_orders(ozon_sandbox)] == ["cancelled"]
