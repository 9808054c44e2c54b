"""Partial acceptance and refusals end to end: Ozon event → return record → Bitrix order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI

from app.workers import build_reconciler
from tests.bitrix_world import Portal, drain, wire_bitrix
from tests.conftest import ADMIN, DEFAULT_PARAMS, ShopHandle, make_shop
from tests.test_shipments import shipment_body
from tests.test_webhooks import event, post_signed

ORDER, SHIPMENT = 10452, 20871
MUG, KETTLE = ORDER * 10 + 1, ORDER * 10 + 2


async def ship(
    client: httpx.AsyncClient,
    shop: ShopHandle,
    portal: Portal,
    *,
    payment_method: str = "prepaid",
) -> dict[str, Any]:
    prepaid = payment_method == "prepaid"
    portal.seed(ORDER, SHIPMENT, paid=prepaid)
    base = shipment_body(shop)
    body = shipment_body(
        shop,
        items=[
            {**base["items"][0], "bitrix_basket_item_id": MUG},
            {**base["items"][1], "bitrix_basket_item_id": KETTLE},
        ],
        payment_method=payment_method,
        paid_amount=5339.90 if prepaid else 0,
        delivery_price=349.90,
    )
    resp = await client.post("/api/v1/shipments", json=body, headers=shop.headers)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


def outcome(mug_accepted: int, kettle_accepted: int) -> list[dict[str, int | str]]:
    return [
        {
            "sku": "A-100",
            "quantity": 2,
            "accepted_quantity": mug_accepted,
            "returned_quantity": 2 - mug_accepted,
        },
        {
            "sku": "B-200",
            "quantity": 1,
            "accepted_quantity": kettle_accepted,
            "returned_quantity": 1 - kettle_accepted,
        },
    ]


async def deliver_partly(
    client: httpx.AsyncClient, shop: ShopHandle, oid: str, items: list[Any], **extra: Any
) -> None:
    for n, status in enumerate(("in_transit", "arrived")):
        await post_signed(client, shop, event(oid, status, f"{oid}-{n}"))
    resp = await post_signed(
        client, shop, event(oid, "partial_delivered", f"{oid}-partial", items=items, **extra)
    )
    assert resp.json()["outcome"] == "applied", resp.text


async def the_shipment(client: httpx.AsyncClient, shop: ShopHandle, sid: str) -> dict[str, Any]:
    data: dict[str, Any] = (
        await client.get(f"/api/v1/shipments/{sid}", headers=shop.headers)
    ).json()
    return data


def basket(portal: Portal) -> dict[int, Decimal]:
    order = portal.order(ORDER)
    return {int(i["id"]): Decimal(str(i["quantity"])) for i in order["basketItems"]}


async def test_prepaid_partial_without_module_is_exact_and_asks_for_a_manual_refund(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal)
    await deliver_partly(client, shop, shipment["ozon_order_id"], outcome(1, 1))
    await drain(app)

    assert basket(portal) == {MUG: Decimal(1), KETTLE: Decimal(1)}
    order = portal.order(ORDER)
    assert Decimal(str(order["price"])) == Decimal("4839.90")
    assert "К возврату покупателю: 500.00 RUB по заказу 10452" in order["comments"]
    assert "верните покупателю 500.00 RUB по заказу 10452" in order["comments"]
    assert portal.shipment(SHIPMENT)["statusId"] == "OP"

    got = await the_shipment(client, shop, shipment["id"])
    ret = got["return"]
    assert ret["state"] == "expected"
    assert ret["refund_due"] == 500.0
    assert ret["refund_state"] == "manual"  # nothing moved the money: never "done"
    assert ret["bitrix_state"] == "applied"
    assert ret["total_after"] == 4839.9
    assert [i["accepted_quantity"] for i in got["items"]] == [1, 1]
    # the Bitrix order got its status push before its basket change
    calls = portal.state.calls(portal.portal_id, ok_only=True)
    status_push = next(
        i
        for i, c in enumerate(calls)
        if c.method == "sale.shipment.update" and "OP" in str(c.params.get("fields"))
    )
    basket_change = next(i for i, c in enumerate(calls) if c.method == "sale.basketitem.update")
    assert status_push < basket_change


async def test_prepaid_partial_with_module_refunds_through_the_pay_system(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop, module=True)
    shipment = await ship(client, shop, portal)
    await deliver_partly(client, shop, shipment["ozon_order_id"], outcome(2, 0))
    await drain(app)
    assert basket(portal) == {MUG: Decimal(2)}
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["refund_due"] == 3990.0
    assert ret["refund_state"] == "done"
    assert ret["bitrix_order_price"] == 1349.9


async def test_module_that_cannot_refund_leaves_it_manual(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(
        app, client, bitrix_sandbox, shop, module=True, refund_outcome="manual"
    )
    shipment = await ship(client, shop, portal)
    await deliver_partly(client, shop, shipment["ozon_order_id"], outcome(1, 1))
    await drain(app)
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["refund_state"] == "manual"


async def test_full_refusal_refunds_everything_paid(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop, module=True)
    shipment = await ship(client, shop, portal)
    oid = shipment["ozon_order_id"]
    for n, status in enumerate(("in_transit", "arrived")):
        await post_signed(client, shop, event(oid, status, f"r{n}"))
    await post_signed(client, shop, event(oid, "returned", "r-ret", items=outcome(0, 0)))
    await drain(app)
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["state"] == "closed"  # goods back, money moved by the pay system
    assert ret["refund_due"] == 5339.9
    assert ret["refund_state"] == "done"
    assert ret["total_after"] == 0


async def test_full_refusal_without_module_marks_payment_returned_but_not_refunded(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal)
    oid = shipment["ozon_order_id"]
    for n, status in enumerate(("in_transit", "arrived")):
        await post_signed(client, shop, event(oid, status, f"r{n}"))
    await post_signed(client, shop, event(oid, "returned", "r-ret", items=outcome(0, 0)))
    await drain(app)
    payment = portal.state.payment_state(portal.portal_id, ORDER * 10)["payment"]
    assert payment["isReturn"] == "Y"  # type: ignore[index]
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["refund_state"] == "manual"
    assert ret["state"] == "received"  # stays open until a manager confirms the refund
    closed = await client.post(f"/api/v1/returns/{ret['id']}/close", headers=shop.headers)
    assert closed.json()["state"] == "closed"


async def test_duplicate_and_late_events_apply_once(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal)
    oid = shipment["ozon_order_id"]
    await deliver_partly(client, shop, oid, outcome(1, 1))
    again = await post_signed(
        client, shop, event(oid, "partial_delivered", "other-id", items=outcome(1, 1))
    )
    assert again.json()["outcome"] == "stale"
    late = await post_signed(client, shop, event(oid, "returned", "ret", items=outcome(1, 1)))
    assert late.json()["outcome"] == "applied"
    await drain(app)
    listed = await client.get("/api/v1/returns", headers=shop.headers)
    assert listed.json()["total"] == 1
    assert listed.json()["items"][0]["state"] == "received"
    updates = [
        c
        for c in portal.state.calls(portal.portal_id, ok_only=True)
        if c.method == "sale.basketitem.update"
    ]
    assert len(updates) == 1
    assert basket(portal) == {MUG: Decimal(1), KETTLE: Decimal(1)}


async def test_partial_accept_off_is_an_anomaly_for_a_manager(
    app: FastAPI, client: httpx.AsyncClient, bitrix_sandbox: FastAPI
) -> None:
    shop = await make_shop(client, params={**DEFAULT_PARAMS, "PARTIAL_ACCEPT": False})
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal)
    await deliver_partly(client, shop, shipment["ozon_order_id"], outcome(1, 1))
    await drain(app)
    assert basket(portal) == {MUG: Decimal(2), KETTLE: Decimal(1)}  # untouched
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["bitrix_state"] == "manual"
    assert ret["refund_state"] == "manual"
    assert any("not allowed" in a for a in ret["anomalies"])
    assert "требуется менеджер" in portal.order(ORDER)["comments"]


async def test_quantities_that_do_not_add_up_stop_automation(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal)
    broken = outcome(1, 1)
    broken[0]["returned_quantity"] = 0
    await deliver_partly(client, shop, shipment["ozon_order_id"], broken)
    await drain(app)
    assert basket(portal) == {MUG: Decimal(2), KETTLE: Decimal(1)}
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["bitrix_state"] == "manual"


async def test_cash_on_delivery_difference_is_flagged(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal, payment_method="cash_on_delivery")
    await deliver_partly(
        client, shop, shipment["ozon_order_id"], outcome(1, 1), cod_collected=4000.00
    )
    await drain(app)
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["expected_cash"] == 4839.9
    assert ret["cod_collected"] == 4000.0
    assert ret["refund_state"] == "not_needed"
    assert any("collected" in a for a in ret["anomalies"])
    assert basket(portal) == {MUG: Decimal(1), KETTLE: Decimal(1)}  # still corrected
    assert "Наложенный платёж" in portal.order(ORDER)["comments"]


async def test_bitrix_that_did_not_recalculate_is_reported(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(
        app, client, bitrix_sandbox, shop, recalculate_on_basket_change=False
    )
    shipment = await ship(client, shop, portal)
    await deliver_partly(client, shop, shipment["ozon_order_id"], outcome(1, 1))
    await drain(app)
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["bitrix_state"] == "mismatch"
    assert ret["bitrix_order_price"] == 5339.9
    assert "не пересчитал" in portal.order(ORDER)["comments"]


async def test_operators_list_returns_across_shops(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal)
    await deliver_partly(client, shop, shipment["ozon_order_id"], outcome(1, 1))
    everything = await client.get("/api/v1/returns?refund_state=pending", headers=ADMIN)
    assert everything.json()["total"] == 1
    other = await make_shop(client, name="Другой")
    assert (await client.get("/api/v1/returns", headers=other.headers)).json()["total"] == 0


async def test_event_without_items_is_settled_from_ozon_by_the_reconciler(
    app: FastAPI,
    client: httpx.AsyncClient,
    shop: ShopHandle,
    bitrix_sandbox: FastAPI,
    ozon_sandbox: FastAPI,
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    shipment = await ship(client, shop, portal)
    oid = shipment["ozon_order_id"]
    ozon = ozon_sandbox.state.sandbox
    for status in ("in_transit", "arrived"):
        await ozon.advance_order(oid, status, notify=False)
    await ozon.advance_order(
        oid, "partial_delivered", accepted=[("A-100", 1), ("B-200", 1)], notify=False
    )
    await deliver_partly(client, shop, oid, items=[])  # the event carries no quantities
    assert (await the_shipment(client, shop, shipment["id"]))["return"] is None

    assert await build_reconciler(app.state.runtime).run_once() == 1
    await drain(app)
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["refund_due"] == 500.0
    assert basket(portal) == {MUG: Decimal(1), KETTLE: Decimal(1)}


async def test_deducted_shipment_items_are_lowered_before_the_basket(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop, strict_deducted_shipments=True)
    portal.seed(ORDER, SHIPMENT, deducted=True)
    base = shipment_body(shop)
    body = shipment_body(
        shop,
        items=[
            {**base["items"][0], "bitrix_basket_item_id": MUG},
            {**base["items"][1], "bitrix_basket_item_id": KETTLE},
        ],
        paid_amount=5339.90,
        delivery_price=349.90,
    )
    shipment = (await client.post("/api/v1/shipments", json=body, headers=shop.headers)).json()
    await deliver_partly(client, shop, shipment["ozon_order_id"], outcome(1, 0))
    await drain(app)
    assert basket(portal) == {MUG: Decimal(1)}
    ret = (await the_shipment(client, shop, shipment["id"]))["return"]
    assert ret["bitrix_state"] == "applied"
    methods = [c.method for c in portal.state.calls(portal.portal_id, ok_only=True)]
    assert methods.index("sale.shipmentitem.update") < methods.index("sale.basketitem.update")
