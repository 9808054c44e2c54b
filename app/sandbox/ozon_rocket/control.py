"""The emulator's control panel under /_sandbox/ (not part of Ozon's API), for demos and tests.

POST   /_sandbox/reset                          back to a fresh start (network regenerated)
GET    /_sandbox/stats                          token issuances, requests per path, webhooks
GET    /_sandbox/reference                      warehouses, cities, Next Day cities
POST   /_sandbox/clock {"advance_seconds"}      move the sandbox clock (token expiry, limits)
POST   /_sandbox/tokens/revoke {"api_key"}      revoke all tokens of a key -> 401 TOKEN_EXPIRED
PUT    /_sandbox/webhooks/{seller_id} {"url", "secret"} (or "secrets": [...] to rotate)
DELETE /_sandbox/webhooks/{seller_id}
GET    /_sandbox/events[?seller_id=&order_id=]  webhook events and every delivery attempt
POST   /_sandbox/events/{event_id}/redeliver[?wait=true]   the same event once more
GET    /_sandbox/orders[?seller_id=]            every seller's orders
POST   /_sandbox/orders/{order_id}/advance[?wait=true&notify=false]
       {"status": "partial_delivered", "items": [{"sku", "accepted_quantity"}],
        "cod_collected": 0.00}                  one step of the status table; 409 otherwise
POST   /_sandbox/faults {"path_prefix": "/v1/calculate", "method": null, "latency_ms": 0,
        "hang": false, "status": 503, "error_code": null, "retry_after": null, "count": 3,
        "phase": "request" | "response"}        "response": done, then the answer is lost
GET    /_sandbox/faults;  DELETE /_sandbox/faults (also releases hanging requests)
PUT    /_sandbox/pickup-points/{point_id}       add or replace a point
PATCH  /_sandbox/pickup-points/{point_id}       e.g. {"is_active": false}
DELETE /_sandbox/pickup-points/{point_id}       the point disappears from the list
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from app.sandbox.ozon_rocket.api import StateDep
from app.sandbox.ozon_rocket.errors import SandboxError
from app.sandbox.ozon_rocket.faults import Fault
from app.sandbox.ozon_rocket.geography import CITIES, NEXT_DAY_CITIES, WAREHOUSES, find_city
from app.sandbox.ozon_rocket.network import PickupPoint
from app.sandbox.ozon_rocket.schemas import (
    AdvanceIn,
    ClockIn,
    FaultIn,
    PointIn,
    PointPatchIn,
    RevokeIn,
    WebhookIn,
)
from app.sandbox.ozon_rocket.views import order_view, point_view
from app.sandbox.ozon_rocket.wire import format_time, json_response

router = APIRouter(prefix="/_sandbox", tags=["Sandbox control (not Ozon's API)"])

PointId = Annotated[str, Path(pattern=r"^(PVZ|LCK)-\d{2}-\d{6}$")]


@router.post("/reset")
async def reset(state: StateDep) -> Response:
    await state.reset()
    return json_response({"status": "reset"})


@router.get("/stats")
async def stats(state: StateDep) -> Response:
    return json_response(state.stats())


@router.get("/reference")
async def reference() -> Response:
    return json_response(
        {
            "warehouses": [{"id": w.id, "name": w.name, "city": w.city} for w in WAREHOUSES],
            "cities": [city.name for city in CITIES],
            "next_day_cities": sorted(NEXT_DAY_CITIES),
        }
    )


@router.post("/clock")
async def advance_clock(body: ClockIn, state: StateDep) -> Response:
    return json_response({"now": format_time(state.clock.advance(body.advance_seconds))})


@router.post("/tokens/revoke")
async def revoke_tokens(body: RevokeIn, state: StateDep) -> Response:
    return json_response({"revoked": state.revoke_tokens(body.api_key)})


@router.put("/webhooks/{seller_id}")
async def register_webhook(seller_id: str, body: WebhookIn, state: StateDep) -> Response:
    endpoint = state.webhooks.register(seller_id, body.url, body.all_secrets())
    return json_response(
        {"seller_id": seller_id, "url": endpoint.url, "secrets": len(endpoint.secrets)}
    )


@router.delete("/webhooks/{seller_id}", status_code=204)
async def unregister_webhook(seller_id: str, state: StateDep) -> Response:
    if not state.webhooks.unregister(seller_id):
        raise SandboxError(404, "NOT_FOUND", f"Seller {seller_id} has no webhook")
    return Response(status_code=204)


@router.get("/events")
async def list_events(
    state: StateDep, seller_id: str | None = None, order_id: str | None = None
) -> Response:
    events = [
        event.view()
        for event in state.webhooks.events.values()
        if (seller_id is None or event.seller_id == seller_id)
        and (order_id is None or event.order_id == order_id)
    ]
    return json_response({"events": events})


@router.post("/events/{event_id}/redeliver")
async def redeliver_event(event_id: str, state: StateDep, wait: bool = False) -> Response:
    event = await state.redeliver(event_id, wait=wait)
    return json_response(event.view())


@router.get("/orders")
async def list_orders(state: StateDep, seller_id: str | None = None) -> Response:
    orders = [
        {"seller_id": order.seller_id, **order_view(order)}
        for order in state.orders.all()
        if seller_id is None or order.seller_id == seller_id
    ]
    return json_response({"orders": orders})


@router.post("/orders/{order_id}/advance")
async def advance_order(
    order_id: str, body: AdvanceIn, state: StateDep, wait: bool = False, notify: bool = True
) -> Response:
    accepted = (
        [(item.sku, item.accepted_quantity) for item in body.items]
        if body.items is not None
        else None
    )
    order = await state.advance_order(
        order_id,
        body.status,
        accepted=accepted,
        cod_collected=body.cod_collected,
        notify=notify,
        wait=wait,
    )
    return json_response(order_view(order))


@router.post("/faults", status_code=201)
async def add_fault(body: FaultIn, state: StateDep) -> Response:
    fault = state.faults.add(Fault(**body.model_dump()))
    return json_response(fault.view(), 201)


@router.get("/faults")
async def list_faults(state: StateDep) -> Response:
    return json_response({"faults": [fault.view() for fault in state.faults.faults]})


@router.delete("/faults")
async def clear_faults(state: StateDep) -> Response:
    cleared = len(state.faults.faults)
    state.faults.clear()
    return json_response({"cleared": cleared})


@router.put("/pickup-points/{point_id}")
async def put_point(point_id: PointId, body: PointIn, state: StateDep) -> Response:
    city = find_city(body.city)
    if city is None:
        raise SandboxError(
            400, "VALIDATION_ERROR", "Unknown city", details={"city": ["not a city of the network"]}
        )
    locker = body.type == "locker"
    point = PickupPoint(
        id=point_id,
        city=city.name,
        partial_acceptance=not locker,  # lockers never accept partially
        updated_at=state.clock.now(),
        **body.model_dump(exclude={"city"}),
    )
    state.network.put(point)
    return json_response(point_view(point))


@router.patch("/pickup-points/{point_id}")
async def patch_point(point_id: PointId, body: PointPatchIn, state: StateDep) -> Response:
    point = state.network.update(point_id, body.model_dump(exclude_none=True), state.clock.now())
    if point is None:
        raise SandboxError(404, "NOT_FOUND", f"Pickup point {point_id} not found")
    return json_response(point_view(point))


@router.delete("/pickup-points/{point_id}", status_code=204)
async def delete_point(point_id: PointId, state: StateDep) -> Response:
    if not state.network.remove(point_id):
        raise SandboxError(404, "NOT_FOUND", f"Pickup point {point_id} not found")
    return Response(status_code=204)
