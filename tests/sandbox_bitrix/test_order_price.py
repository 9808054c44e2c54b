"""The order total: recalculated from basket + delivery on basket changes, unless switched off."""

from __future__ import annotations

from decimal import Decimal

import httpx

from app.sandbox.bitrix import BitrixSandbox, PortalInfo, SeededOrder
from tests.sandbox_bitrix.support import body, call, entity, error, items


async def test_a_basket_quantity_change_recalculates_the_order_price(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    mug = order.basket_item_ids[0]

    response = await call(
        client, portal, "sale.basketitem.update", {"id": mug, "fields": {"quantity": 1}}
    )

    assert entity(response, "basketItem")["quantity"] == 1
    read = entity(await call(client, portal, "sale.order.get", {"id": order.order_id}), "order")
    assert read["price"] == Decimal("2096.7")
    shipment = sandbox.shipment(portal.portal_id, order.shipment_ids[0])
    assert (shipment.items[0].basket_id, shipment.items[0].quantity) == (mug, Decimal(1))


async def test_deleting_a_line_recalculates_and_drops_it_from_the_shipment(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    kettle = order.basket_item_ids[1]

    response = await call(client, portal, "sale.basketitem.delete", {"id": kettle})

    assert body(response)["result"] is True
    state = sandbox.order(portal.portal_id, order.order_id)
    assert state.price == Decimal("1374.50")
    assert all(si.basket_id != kettle for si in state.shipments[0].items)


async def test_without_recalculation_the_price_stays_while_the_basket_shrinks(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    sandbox.configure_portal(portal.portal_id, recalculate_on_basket_change=False)

    await call(client, portal, "sale.basketitem.delete", {"id": order.basket_item_ids[1]})

    read = entity(await call(client, portal, "sale.order.get", {"id": order.order_id}), "order")
    assert read["price"] == Decimal("2609")
    assert [b["name"] for b in items(read["basketItems"])] == ["Кружка"]


async def test_a_price_set_by_hand_is_overwritten_by_the_next_basket_change(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    set_by_hand = await call(
        client, portal, "sale.order.update", {"id": order.order_id, "fields": {"price": 1990}}
    )
    assert entity(set_by_hand, "order")["price"] == 1990

    await call(
        client,
        portal,
        "sale.basketitem.update",
        {"id": order.basket_item_ids[0], "fields": {"quantity": 1}},
    )

    read = entity(await call(client, portal, "sale.order.get", {"id": order.order_id}), "order")
    assert read["price"] == Decimal("2096.7")


async def test_basket_ids_are_strings_in_sale_order_get_and_numbers_elsewhere(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    mug = order.basket_item_ids[0]

    in_order = entity(await call(client, portal, "sale.order.get", {"id": order.order_id}), "order")
    alone = entity(await call(client, portal, "sale.basketitem.get", {"id": mug}), "basketItem")

    assert items(in_order["basketItems"])[0]["id"] == str(mug)
    assert alone["id"] == mug


async def test_strict_mode_blocks_shrinking_a_deducted_line_until_its_shipment_item_is_lowered(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    sandbox.configure_portal(portal.portal_id, strict_deducted_shipments=True)
    sandbox.shipment(portal.portal_id, order.shipment_ids[0]).deducted = "Y"
    mug = order.basket_item_ids[0]
    shrink = {"id": mug, "fields": {"quantity": 1}}

    refused = await call(client, portal, "sale.basketitem.update", shrink)
    item_id = order.shipment_item_ids[0][0]
    lowered = await call(
        client, portal, "sale.shipmentitem.update", {"id": item_id, "fields": {"quantity": 1}}
    )
    accepted = await call(client, portal, "sale.basketitem.update", shrink)

    assert error(refused)[:2] == (400, 0)
    assert entity(lowered, "shipmentItem")["quantity"] == 1
    assert entity(accepted, "basketItem")["quantity"] == 1
    assert sandbox.order(portal.portal_id, order.order_id).price == Decimal("2096.70")


async def test_a_shipment_item_cannot_hold_more_than_the_basket_line(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    item_id = order.shipment_item_ids[0][0]

    response = await call(
        client, portal, "sale.shipmentitem.update", {"id": item_id, "fields": {"quantity": 3}}
    )

    assert error(response)[:2] == (400, 0)
