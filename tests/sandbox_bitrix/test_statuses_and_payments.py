"""Statuses (two-character ids, names per language) and payments (paySystemId required)."""

from __future__ import annotations

from decimal import Decimal

import httpx

from app.sandbox.bitrix import BitrixSandbox, PortalInfo, SeededOrder
from tests.sandbox_bitrix.support import body, call, entity, error, rows


async def test_delivery_statuses_are_listed_by_type(
    client: httpx.AsyncClient, portal: PortalInfo
) -> None:
    response = await call(client, portal, "sale.status.list", {"filter": {"type": "D"}})

    assert [s["id"] for s in rows(response, "statuses")] == ["DN", "DD", "DF"]
    assert body(response)["total"] == 3
    assert "next" not in body(response)


async def test_a_new_delivery_status_and_its_name_can_be_added(
    client: httpx.AsyncClient, portal: PortalInfo
) -> None:
    added = await call(
        client, portal, "sale.status.add", {"fields": {"id": "OT", "type": "D", "sort": 510}}
    )
    named = await call(
        client,
        portal,
        "sale.statusLang.add",
        {"fields": {"statusId": "OT", "lid": "ru", "name": "Передан в Ozon Rocket"}},
    )
    listed = await call(client, portal, "sale.statuslang.list", {"filter": {"statusId": "OT"}})

    assert entity(added, "status") == {
        "id": "OT",
        "type": "D",
        "sort": 510,
        "notify": "N",
        "color": None,
        "xmlId": None,
    }
    assert entity(named, "statusLang")["name"] == "Передан в Ozon Rocket"
    assert [(sl["lid"], sl["name"]) for sl in rows(listed, "statusLangs")] == [
        ("ru", "Передан в Ozon Rocket")
    ]


async def test_status_ids_are_at_most_two_characters_and_unique_across_types(
    client: httpx.AsyncClient, portal: PortalInfo
) -> None:
    too_long = await call(client, portal, "sale.status.add", {"fields": {"id": "OZD", "type": "D"}})
    taken = await call(client, portal, "sale.status.add", {"fields": {"id": "N", "type": "D"}})
    bad_type = await call(client, portal, "sale.status.add", {"fields": {"id": "OX", "type": "X"}})

    assert error(too_long)[:2] == (400, 201350000005)
    assert error(taken) == (400, 201350000001, "Duplicate entry for key [id]")
    assert error(bad_type)[:2] == (400, 201350000003)


async def test_a_status_name_is_added_once_per_language(
    client: httpx.AsyncClient, portal: PortalInfo
) -> None:
    fields = {"statusId": "DN", "lid": "ru", "name": "Снова"}

    response = await call(client, portal, "sale.statusLang.add", {"fields": fields})

    assert error(response)[:2] == (400, 201750000003)


async def test_status_lists_page_by_50(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox
) -> None:
    cmd = {f"s{n}": f"sale.status.add?fields[id]=X{n}&fields[type]=O" for n in range(10)}
    cmd |= {f"t{n}": f"sale.status.add?fields[id]=Y{n}&fields[type]=O" for n in range(10)}
    cmd |= {f"u{n}": f"sale.status.add?fields[id]=W{n}&fields[type]=O" for n in range(10)}
    cmd |= {f"v{n}": f"sale.status.add?fields[id]=V{n}&fields[type]=O" for n in range(10)}
    cmd |= {f"w{n}": f"sale.status.add?fields[id]=U{n}&fields[type]=O" for n in range(10)}
    await call(client, portal, "batch", {"cmd": cmd})

    first = await call(client, portal, "sale.status.list", {})
    second = await call(client, portal, "sale.status.list", {"start": 50})

    assert (body(first)["total"], body(first)["next"]) == (56, 50)
    assert len(rows(first, "statuses")) == 50
    assert [s["id"] for s in rows(second, "statuses")] == ["U4", "U5", "U6", "U7", "U8", "U9"]
    assert "next" not in body(second)


async def test_a_payment_update_needs_the_pay_system(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    payment_id = order.payment_ids[0]

    response = await call(
        client, portal, "sale.payment.update", {"id": payment_id, "fields": {"paid": "N"}}
    )

    assert error(response) == (400, 0, "Required fields: paySystemId")
    assert sandbox.payment(portal.portal_id, payment_id).paid == "Y"


async def test_a_return_recorded_over_rest_is_only_a_flag(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    fields = {
        "paySystemId": 2,
        "isReturn": "Y",
        "payReturnNum": "RET-123",
        "payReturnDate": "2025-01-31",
        "payReturnComment": "Partial acceptance, Ozon Rocket",
        "sum": "862.20",
    }

    response = await call(
        client, portal, "sale.payment.update", {"id": order.payment_ids[0], "fields": fields}
    )

    payment = entity(response, "payment")
    assert (payment["isReturn"], payment["payReturnNum"], payment["sum"]) == (
        "Y",
        "RET-123",
        Decimal("862.2"),
    )
    assert payment["payReturnDate"] == "2025-01-31"
    assert sandbox.order(portal.portal_id, order.order_id).refunds == []


async def test_payments_are_listed_per_order(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    response = await call(
        client, portal, "sale.payment.list", {"filter": {"orderId": order.order_id}}
    )

    assert [p["id"] for p in rows(response, "payments")] == order.payment_ids
