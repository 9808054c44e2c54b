"""The status machine driven through /_sandbox/ and the signed webhooks it sends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from app.ozon.signature import SignatureError, sign, verify
from app.sandbox.ozon_rocket import SandboxClock, SandboxConfig, SandboxState
from app.sandbox.ozon_rocket import create_ozon_rocket_sandbox as create_sandbox
from tests.sandbox.conftest import BASE_URL, SMALL_NETWORK, advance, bearer, create_order

SECRET = "whsec_seller_1"
HOOK_URL = "http://shop.test/webhooks/ozon"
Headers = dict[str, str]


@dataclass
class Receiver:
    """A shop's webhook endpoint: verifies like the bridge must, answers 500 while told to."""

    clock: SandboxClock
    secrets: list[str]
    failures_left: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    raw_bodies: list[bytes] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhooks/ozon")
        async def hook(request: Request) -> Response:
            body = await request.body()
            header = request.headers.get("X-Ozon-Signature")
            try:
                verify(header, body, self.secrets, now=int(self.clock.timestamp()))
            except SignatureError as exc:
                self.rejected.append(exc.reason)
                return Response(status_code=401)
            if self.failures_left:
                self.failures_left -= 1
                return Response(status_code=500)
            self.raw_bodies.append(body)
            self.signatures.append(header or "")
            self.events.append(json.loads(body))
            return Response(status_code=200)

        return app


@pytest.fixture
def receiver(clock: SandboxClock) -> Receiver:
    return Receiver(clock, [SECRET])


@pytest.fixture
async def hooked(receiver: Receiver, clock: SandboxClock) -> AsyncIterator[httpx.AsyncClient]:
    """A sandbox whose webhooks reach the receiver, with seller-1's URL registered."""
    config = SandboxConfig(
        clock=clock,
        pickup_point_count=SMALL_NETWORK,
        webhook_transport=httpx.ASGITransport(app=receiver.app()),
        webhook_retry_delays=(0, 0, 0),
    )
    app = create_sandbox(config)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client,
    ):
        registered = await client.put(
            "/_sandbox/webhooks/seller-1", json={"url": HOOK_URL, "secret": SECRET}
        )
        assert registered.status_code == 200
        yield client


async def test_a_full_walk_sends_one_verified_event_per_change(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    auth = await bearer(hooked)
    order_id = (await create_order(hooked, auth))["order_id"]
    for status in ("in_transit", "arrived"):
        assert (await advance(hooked, order_id, status)).status_code == 200
    partial = await advance(
        hooked, order_id, "partial_delivered", items=[{"sku": "A-100", "accepted_quantity": 1}]
    )
    assert partial.status_code == 200
    assert (await advance(hooked, order_id, "returned")).status_code == 200

    assert receiver.rejected == []
    assert [(e["previous_status"], e["status"]) for e in receiver.events] == [
        ("created", "in_transit"),
        ("in_transit", "arrived"),
        ("arrived", "partial_delivered"),
        ("partial_delivered", "returned"),
    ]
    assert len({e["event_id"] for e in receiver.events}) == 4
    first = receiver.events[0]
    assert first["event_type"] == "order.status_changed"
    assert first["order_id"] == order_id
    assert first["seller_order_number"] == "SHOP-10452"
    assert first["occurred_at"].endswith("+03:00")
    assert "items" not in first
    assert "cod_collected" not in first
    expected_items = [
        {"sku": "A-100", "quantity": 2, "accepted_quantity": 1, "returned_quantity": 1},
        {"sku": "B-200", "quantity": 1, "accepted_quantity": 1, "returned_quantity": 0},
    ]
    assert receiver.events[2]["items"] == expected_items
    assert receiver.events[3]["items"] == expected_items
    assert b'"cod_collected":0.00' in receiver.raw_bodies[2]

    order = (await hooked.get(f"/v1/orders/{order_id}", headers=auth)).json()
    assert order["status"] == "returned"
    assert order["items"] == expected_items
    assert [h["status"] for h in order["status_history"]] == [
        "created",
        "in_transit",
        "arrived",
        "partial_delivered",
        "returned",
    ]


async def test_the_signature_header_is_exactly_what_the_signer_makes(
    hooked: httpx.AsyncClient, receiver: Receiver, clock: SandboxClock
) -> None:
    order_id = (await create_order(hooked, await bearer(hooked)))["order_id"]
    await advance(hooked, order_id, "in_transit")
    expected = sign(SECRET, int(clock.timestamp()), receiver.raw_bodies[0])
    assert receiver.signatures == [expected]


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ([], "delivered"),
        ([], "arrived"),
        (["in_transit"], "cancelled"),
        (["in_transit", "arrived", "delivered"], "returned"),
        (["in_transit", "arrived"], "in_transit"),
        (["cancelled"], "in_transit"),
    ],
)
async def test_transitions_outside_the_table_are_409(
    ozon: httpx.AsyncClient, auth: Headers, current: list[str], target: str
) -> None:
    order_id = (await create_order(ozon, auth))["order_id"]
    for status in current:
        assert (await advance(ozon, order_id, status)).status_code == 200
    response = await advance(ozon, order_id, target)
    assert response.status_code == 409
    assert response.json()["error_code"] == "INVALID_TRANSITION"


async def test_delivered_accepts_everything_and_collects_cash_for_cod(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    order_id = (await create_order(ozon, auth, payment_method="cash_on_delivery"))["order_id"]
    for status in ("in_transit", "arrived"):
        await advance(ozon, order_id, status)
    response = await advance(ozon, order_id, "delivered")
    assert '"cod_collected":4990.00' in response.text
    assert all(i["accepted_quantity"] == i["quantity"] for i in response.json()["items"])
    assert all(i["returned_quantity"] == 0 for i in response.json()["items"])


async def test_a_partial_cod_delivery_collects_for_the_accepted_units_only(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    order_id = (await create_order(ozon, auth, payment_method="cash_on_delivery"))["order_id"]
    for status in ("in_transit", "arrived"):
        await advance(ozon, order_id, status)
    response = await advance(ozon, order_id, "partial_delivered")  # default: last unit refused
    assert '"cod_collected":1000.00' in response.text
    explicit = (await ozon.get("/_sandbox/orders", params={"seller_id": "seller-1"})).json()[
        "orders"
    ][0]
    assert explicit["items"][1] == {
        "sku": "B-200",
        "quantity": 1,
        "accepted_quantity": 0,
        "returned_quantity": 1,
    }


async def test_returned_straight_from_arrived_accepts_nothing(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    order_id = (await create_order(ozon, auth))["order_id"]
    for status in ("in_transit", "arrived"):
        await advance(ozon, order_id, status)
    response = await advance(ozon, order_id, "returned")
    assert [(i["accepted_quantity"], i["returned_quantity"]) for i in response.json()["items"]] == [
        (0, 2),
        (0, 1),
    ]


@pytest.mark.parametrize(
    "items",
    [
        [{"sku": "A-100", "accepted_quantity": 3}],
        [{"sku": "NOPE", "accepted_quantity": 1}],
        [{"sku": "A-100", "accepted_quantity": 2}, {"sku": "B-200", "accepted_quantity": 1}],
        [{"sku": "A-100", "accepted_quantity": 0}, {"sku": "B-200", "accepted_quantity": 0}],
    ],
    ids=["too-many", "unknown-sku", "all-accepted", "none-accepted"],
)
async def test_a_partial_delivery_must_accept_some_but_not_all(
    ozon: httpx.AsyncClient, auth: Headers, items: list[dict[str, Any]]
) -> None:
    order_id = (await create_order(ozon, auth))["order_id"]
    for status in ("in_transit", "arrived"):
        await advance(ozon, order_id, status)
    response = await advance(ozon, order_id, "partial_delivered", items=items)
    assert response.status_code == 400
    assert response.json()["error_code"] == "VALIDATION_ERROR"


async def test_advancing_an_unknown_order_is_404(ozon: httpx.AsyncClient) -> None:
    response = await advance(ozon, "RKT-FFFFFF", "in_transit")
    assert response.status_code == 404
    assert response.json()["error_code"] == "ORDER_NOT_FOUND"


async def test_a_failing_receiver_gets_the_same_event_again_until_it_answers_2xx(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.failures_left = 2
    order_id = (await create_order(hooked, await bearer(hooked)))["order_id"]
    await advance(hooked, order_id, "in_transit")
    assert len(receiver.events) == 1
    (event,) = (await hooked.get("/_sandbox/events", params={"order_id": order_id})).json()[
        "events"
    ]
    assert event["delivered"] is True
    assert [a["status_code"] for a in event["attempts"]] == [500, 500, 200]
    assert event["event_id"] == receiver.events[0]["event_id"]


async def test_a_receiver_that_never_recovers_exhausts_the_attempts(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.failures_left = 100
    order_id = (await create_order(hooked, await bearer(hooked)))["order_id"]
    await advance(hooked, order_id, "in_transit")
    (event,) = (await hooked.get("/_sandbox/events")).json()["events"]
    assert event["delivered"] is False
    assert len(event["attempts"]) == 4


async def test_during_rotation_every_secret_signs_and_the_new_one_alone_verifies(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    await hooked.put(
        "/_sandbox/webhooks/seller-1",
        json={"url": HOOK_URL, "secrets": [SECRET, "whsec_seller_1_new"]},
    )
    receiver.secrets = ["whsec_seller_1_new"]
    order_id = (await create_order(hooked, await bearer(hooked)))["order_id"]
    await advance(hooked, order_id, "in_transit")
    assert receiver.signatures[0].count("v1=") == 2
    assert len(receiver.events) == 1


async def test_a_suppressed_event_is_lost_and_a_redelivered_one_comes_twice(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    order_id = (await create_order(hooked, await bearer(hooked)))["order_id"]
    lost = await hooked.post(
        f"/_sandbox/orders/{order_id}/advance",
        params={"wait": "true", "notify": "false"},
        json={"status": "in_transit"},
    )
    assert lost.status_code == 200
    assert receiver.events == []
    await advance(hooked, order_id, "arrived")
    event_id = receiver.events[0]["event_id"]
    again = await hooked.post(f"/_sandbox/events/{event_id}/redeliver", params={"wait": "true"})
    assert again.status_code == 200
    assert [e["event_id"] for e in receiver.events] == [event_id, event_id]
    assert receiver.raw_bodies[0] == receiver.raw_bodies[1]


async def test_cancel_sends_an_event_once(hooked: httpx.AsyncClient, receiver: Receiver) -> None:
    auth = await bearer(hooked)
    order_id = (await create_order(hooked, auth))["order_id"]
    for _ in range(2):
        await hooked.post(f"/v1/orders/{order_id}/cancel", headers=auth)
    await asyncio.sleep(0.01)  # cancel does not wait for its webhook
    assert [e["status"] for e in receiver.events] == ["cancelled"]


async def test_no_webhook_is_sent_without_a_registered_url(
    ozon: httpx.AsyncClient, auth: Headers, state: SandboxState
) -> None:
    order_id = (await create_order(ozon, auth))["order_id"]
    await advance(ozon, order_id, "in_transit")
    (event,) = state.webhooks.events.values()
    assert event.attempts == []
    assert not event.delivered
    response = await ozon.post(f"/_sandbox/events/{event.event_id}/redeliver")
    assert response.status_code == 409


async def test_the_timer_walks_orders_to_delivered() -> None:
    real_time = SandboxClock()  # the timer runs on real time, in short steps
    receiver = Receiver(real_time, [SECRET])
    config = SandboxConfig(
        clock=real_time,
        pickup_point_count=10,
        auto_advance_seconds=0.02,
        webhook_transport=httpx.ASGITransport(app=receiver.app()),
        webhook_retry_delays=(0, 0, 0),
    )
    app = create_sandbox(config)
    state: SandboxState = app.state.sandbox
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client,
    ):
        await client.put("/_sandbox/webhooks/seller-1", json={"url": HOOK_URL, "secret": SECRET})
        order_id = (await create_order(client, await bearer(client)))["order_id"]
        order = state.orders.get(order_id)
        assert order is not None
        for _ in range(200):
            if order.is_final:
                break
            await asyncio.sleep(0.01)
        for event_id in list(state.webhooks.events):
            await state.webhooks.wait(event_id)
    assert order.status == "delivered"
    assert sorted(e["status"] for e in receiver.events) == ["arrived", "delivered", "in_transit"]


async def test_webhooks_can_be_routed_to_an_app_built_after_the_sandbox(
    ozon: httpx.AsyncClient, auth: Headers, state: SandboxState, receiver: Receiver
) -> None:
    # The bridge's tests build the sandbox first and the bridge (the receiver) from it.
    await state.webhooks.use_transport(httpx.ASGITransport(app=receiver.app()))
    await ozon.put("/_sandbox/webhooks/seller-1", json={"url": HOOK_URL, "secret": SECRET})
    order_id = (await create_order(ozon, auth))["order_id"]
    await state.advance_order(order_id, "in_transit", wait=True)
    assert [e["status"] for e in receiver.events] == ["in_transit"]
    await state.aclose()


async def test_an_injected_client_delivers_the_webhooks(
    receiver: Receiver, clock: SandboxClock
) -> None:
    transport = httpx.ASGITransport(app=receiver.app())
    async with httpx.AsyncClient(transport=transport) as shared:
        app = create_sandbox(
            SandboxConfig(clock=clock, pickup_point_count=10, webhook_client=shared)
        )
        state: SandboxState = app.state.sandbox
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE_URL
        ) as client:
            await client.put(
                "/_sandbox/webhooks/seller-1", json={"url": HOOK_URL, "secret": SECRET}
            )
            order_id = (await create_order(client, await bearer(client)))["order_id"]
            await advance(client, order_id, "in_transit")
        await state.aclose()
        assert not shared.is_closed  # the sandbox closes only the clients it built
    assert len(receiver.events) == 1


async def test_an_unregistered_seller_stops_getting_webhooks(
    hooked: httpx.AsyncClient, receiver: Receiver
) -> None:
    assert (await hooked.delete("/_sandbox/webhooks/seller-1")).status_code == 204
    order_id = (await create_order(hooked, await bearer(hooked)))["order_id"]
    await advance(hooked, order_id, "in_transit")
    assert receiver.events == []
    assert (await hooked.delete("/_sandbox/webhooks/seller-1")).status_code == 404


async def test_registering_a_webhook_needs_a_url_and_a_secret(ozon: httpx.AsyncClient) -> None:
    no_secret = await ozon.put("/_sandbox/webhooks/seller-1", json={"url": HOOK_URL})
    assert no_secret.status_code == 400
    assert no_secret.json()["error_code"] == "VALIDATION_ERROR"
    bad_url = await ozon.put("/_sandbox/webhooks/seller-1", json={"url": "ftp://x", "secret": "s"})
    assert "url" in bad_url.json()["details"]
