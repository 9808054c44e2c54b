"""Webhook URLs, credentials, envelopes and the three ways Bitrix accepts parameters."""

from __future__ import annotations

from decimal import Decimal

import httpx

from app.sandbox.bitrix import BitrixSandbox, PortalInfo, SeededOrder
from tests.sandbox_bitrix.support import body, call, entity, error, mapping


async def test_an_unknown_secret_is_refused(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox
) -> None:
    response = await client.post(f"/rest/{portal.user_id}/not-the-secret/sale.status.list.json")

    assert error(response) == (401, "INVALID_CREDENTIALS", "Invalid request credentials")
    assert sandbox.calls()[-1].portal_id is None


async def test_the_secret_belongs_to_its_user_id(
    client: httpx.AsyncClient, portal: PortalInfo
) -> None:
    response = await client.post(f"/rest/{portal.user_id + 1}/{portal.secret}/sale.status.list")

    assert error(response)[:2] == (401, "INVALID_CREDENTIALS")


async def test_a_call_without_a_webhook_has_no_auth(client: httpx.AsyncClient) -> None:
    response = await client.post("/rest/sale.status.list.json", json={})

    assert error(response)[:2] == (401, "NO_AUTH_FOUND")


async def test_an_unknown_method_is_404(client: httpx.AsyncClient, portal: PortalInfo) -> None:
    response = await call(client, portal, "sale.order.teleport")

    assert error(response) == (404, "ERROR_METHOD_NOT_FOUND", "Method not found!")


async def test_success_carries_the_time_block(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    response = await call(client, portal, "sale.order.get", {"id": order.order_id})

    time = mapping(body(response)["time"])
    assert set(time) == {
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
        "operating_reset_at",
        "operating",
    }
    assert str(time["date_start"]).endswith("+03:00")


async def test_a_missing_id_is_error_100(client: httpx.AsyncClient, portal: PortalInfo) -> None:
    response = await call(client, portal, "sale.order.get", {})

    assert error(response) == (400, 100, "Could not find value for parameter {id}")


async def test_a_get_with_a_query_string_works(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    response = await client.get(f"{portal.webhook_path}sale.order.get?id={order.order_id}")

    assert entity(response, "order")["id"] == order.order_id


async def test_a_form_encoded_update_works_with_bracket_keys(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    form = {
        "id": str(order.shipment_ids[0]),
        "fields[deliveryId]": "12",
        "fields[allowDelivery]": "Y",
        "fields[deducted]": "N",
        "fields[basePriceDelivery]": "300.10",
        "fields[statusId]": "DF",
    }

    response = await client.post(f"{portal.webhook_path}sale.shipment.update", data=form)

    assert response.status_code == 200
    shipment = sandbox.shipment(portal.portal_id, order.shipment_ids[0])
    assert (shipment.status_id, shipment.price_delivery) == ("DF", Decimal("300.10"))


async def test_portals_do_not_see_each_others_orders(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    other = sandbox.create_portal()

    response = await call(client, other, "sale.order.get", {"id": order.order_id})

    assert error(response) == (400, 200540400001, "order does not exist")


async def test_money_arrives_as_json_numbers(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    response = await call(client, portal, "sale.payment.get", {"id": order.payment_ids[0]})

    assert b'"sum": 2609,' in response.content
    assert entity(response, "payment")["priceCod"] == "0"
