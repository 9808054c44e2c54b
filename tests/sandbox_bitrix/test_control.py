"""The /_sandbox/ control endpoints, and the sandbox mounted under a prefix as the bridge does."""

from __future__ import annotations

from decimal import Decimal

import httpx
from fastapi import FastAPI

from app.sandbox.bitrix import BitrixSandboxConfig, FakeClock, create_bitrix_sandbox
from tests.sandbox_bitrix.support import body, entity, items, mapping

SEED = {
    "basket": [
        {"name": "Кружка", "price": "512.30", "quantity": 2, "xml_id": "A-100"},
        {"name": "Чайник", "price": "1234.50", "xml_id": "B-200"},
    ],
    "shipments": [{"delivery_id": 12, "price": "349.90", "status_id": "DN"}],
    "payments": [{"pay_system_id": 2, "paid": True}],
    "properties": {"OZON_PVZ": "PVZ-77-000123"},
}


async def test_a_mounted_sandbox_hands_out_a_usable_webhook(clock: FakeClock) -> None:
    bridge = FastAPI()
    bridge.mount("/sandbox/bitrix", create_bitrix_sandbox(BitrixSandboxConfig(clock=clock)))
    transport = httpx.ASGITransport(app=bridge)
    async with httpx.AsyncClient(transport=transport, base_url="http://bridge.test") as client:
        created = await client.post("/sandbox/bitrix/_sandbox/portals", json={"user_id": 7})
        portal = body(created)
        seeded = await client.post(
            f"/sandbox/bitrix/_sandbox/portals/{portal['portal_id']}/orders", json=SEED
        )
        order_id = body(seeded)["order_id"]
        read = await client.post(
            f"{portal['webhook_path']}sale.order.get.json", json={"id": order_id}
        )

    assert created.status_code == 201
    assert str(portal["webhook_path"]).startswith("/sandbox/bitrix/rest/7/")
    assert portal["webhook_url"] == f"http://bridge.test{portal['webhook_path']}"
    assert seeded.status_code == 201
    order = entity(read, "order")
    assert items(order["propertyValues"])[0]["value"] == "PVZ-77-000123"


async def test_seed_inspect_and_call_log_over_http(client: httpx.AsyncClient) -> None:
    portal = body(await client.post("/_sandbox/portals", json={"module_installed": True}))
    base = f"/_sandbox/portals/{portal['portal_id']}"
    seeded = body(await client.post(f"{base}/orders", json=SEED))
    order_id, shipment_id = seeded["order_id"], items(seeded["shipment_ids"])
    hook = str(portal["webhook_path"])

    await client.post(f"{hook}sale.order.get.json", json={"id": order_id})
    await client.post(
        f"{hook}ozonrocket.shipment.status.json",
        json={"shipmentId": shipment_id[0], "statusId": "DF", "trackingNumber": "OZR1"},
    )
    state = body(await client.get(f"{base}/orders/{order_id}"))
    shipment = body(await client.get(f"{base}/shipments/{shipment_id[0]}"))
    calls = body(await client.get(f"/_sandbox/calls?portal_id={portal['portal_id']}"))

    assert mapping(state["order"])["price"] == 2609
    assert mapping(state["sandbox"])["refunds"] == []
    assert mapping(shipment["shipment"])["trackingNumber"] == "OZR1"
    assert [(c["method"], c["outcome"]) for c in items(calls["calls"])] == [
        ("sale.order.get", "ok"),
        ("ozonrocket.shipment.status", "ok"),
    ]


async def test_options_change_while_the_portal_runs(client: httpx.AsyncClient) -> None:
    portal = body(await client.post("/_sandbox/portals", json={}))
    base = f"/_sandbox/portals/{portal['portal_id']}"

    changed = await client.patch(base, json={"module_installed": True, "refund_outcome": "manual"})
    refused = await client.patch(base, json={"refund_outcome": "later"})

    assert mapping(body(changed)["options"])["refund_outcome"] == "manual"
    assert refused.status_code == 422


async def test_unknown_things_are_404_and_impossible_seeds_422(client: httpx.AsyncClient) -> None:
    portal = body(await client.post("/_sandbox/portals", json={}))
    base = f"/_sandbox/portals/{portal['portal_id']}"
    impossible = {**SEED, "shipments": [{"status_id": "N"}]}

    assert (await client.get("/_sandbox/portals/99")).status_code == 404
    assert (await client.get(f"{base}/orders/1")).status_code == 404
    assert (await client.post(f"{base}/orders", json=impossible)).status_code == 422
    assert (await client.post(f"{base}/orders", json={"basket": []})).status_code == 422


async def test_reset_forgets_portals_and_calls(client: httpx.AsyncClient) -> None:
    portal = body(await client.post("/_sandbox/portals", json={"secret": "known"}))
    await client.post(f"{portal['webhook_path']}sale.status.list.json")

    reset = await client.post("/_sandbox/reset")
    after = await client.post(f"{portal['webhook_path']}sale.status.list.json")

    assert reset.status_code == 204
    assert after.status_code == 401
    calls = items(body(await client.get("/_sandbox/calls"))["calls"])
    assert [c["outcome"] for c in calls] == ["INVALID_CREDENTIALS"]


async def test_the_demo_shop_holds_the_contract_example(clock: FakeClock) -> None:
    app = create_bitrix_sandbox(BitrixSandboxConfig(clock=clock, seed_demo=True))
    transport = httpx.ASGITransport(app=app)
    payload = {
        "orderId": 10452,
        "shipmentId": 20871,
        "operationId": "pa_demo",
        "lines": [
            {"basketId": 789, "acceptedQuantity": 1},
            {"basketId": 790, "acceptedQuantity": 0},
        ],
        "deliveryPrice": 349.90,
        "refund": {"amount": 1746.80, "reason": "Ozon Rocket: частичный выкуп"},
    }
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        response = await client.post(
            "/rest/1/demo0webhook0key/ozonrocket.partial.apply.json", json=payload
        )

    answer = mapping(body(response)["result"])
    assert answer["orderPrice"] == Decimal("862.2")
    assert mapping(answer["refund"])["amount"] == Decimal("1746.8")
