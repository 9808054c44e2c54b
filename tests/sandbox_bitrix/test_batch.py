"""batch: `$result[...]` references, the 50-command ceiling, halt, and PHP's answer shapes."""

from __future__ import annotations

from decimal import Decimal

import httpx

from app.sandbox.bitrix import BitrixSandbox, PortalInfo, SeededOrder
from tests.sandbox_bitrix.support import batch_parts, call, mapping


async def _batch(
    client: httpx.AsyncClient, portal: PortalInfo, cmd: object, halt: int = 0
) -> dict[str, object]:
    response = await call(client, portal, "batch", {"halt": halt, "cmd": cmd})
    assert response.status_code == 200
    return batch_parts(response)


async def test_references_let_an_update_resend_what_a_get_read(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    shipment_id = order.shipment_ids[0]
    ref = "$result[get][shipment]"
    update = (
        f"sale.shipment.update?id={shipment_id}"
        f"&fields[deliveryId]={ref}[deliveryId]&fields[allowDelivery]={ref}[allowDelivery]"
        f"&fields[deducted]={ref}[deducted]&fields[basePriceDelivery]={ref}[basePriceDelivery]"
        "&fields[statusId]=DF&fields[trackingNumber]=OZR123456789RU"
    )

    parts = await _batch(
        client, portal, {"get": f"sale.shipment.get?id={shipment_id}", "push": update}, halt=1
    )

    assert parts["result_error"] == []
    shipment = sandbox.shipment(portal.portal_id, shipment_id)
    assert (shipment.status_id, shipment.tracking_number) == ("DF", "OZR123456789RU")
    assert (shipment.delivery_id, shipment.price_delivery) == (12, Decimal("349.90"))
    assert set(mapping(parts["result_time"])) == {"get", "push"}


async def test_a_reference_inside_text_is_cast_to_text(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    cmd = {
        "s": f"sale.shipment.get?id={order.shipment_ids[0]}",
        "o": f"sale.order.update?id={order.order_id}"
        "&fields[comments]=Shipment%20$result[s][shipment][id]%20handed%20over",
    }

    await _batch(client, portal, cmd)

    comments = sandbox.order(portal.portal_id, order.order_id).comments
    assert comments == f"Shipment {order.shipment_ids[0]} handed over"


async def test_past_50_commands_each_extra_one_fails_and_the_first_50_run(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox
) -> None:
    cmd = {f"c{i}": "sale.status.list" for i in range(52)}

    parts = await _batch(client, portal, cmd)

    assert len(mapping(parts["result"])) == 50
    assert mapping(parts["result_error"]) == {
        key: {
            "error": "ERROR_BATCH_LENGTH_EXCEEDED",
            "error_description": "Max batch length exceeded",
        }
        for key in ("c50", "c51")
    }
    assert len(sandbox.calls(portal.portal_id, method="sale.status.list")) == 50


async def test_halt_stops_at_the_first_error(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    cmd = {
        "first": f"sale.order.get?id={order.order_id}",
        "broken": f"sale.shipment.update?id={order.shipment_ids[0]}&fields[statusId]=DF",
        "never": f"sale.order.update?id={order.order_id}&fields[comments]=ran",
    }

    parts = await _batch(client, portal, cmd, halt=1)

    assert list(mapping(parts["result"])) == ["first"]
    assert mapping(parts["result_error"]) == {
        "broken": {
            "error": 0,
            "error_description": "Required fields: deliveryId, allowDelivery, deducted",
        }
    }
    assert sandbox.order(portal.portal_id, order.order_id).comments == ""
    assert [c.batch_key for c in sandbox.calls(portal.portal_id)] == [None, "first", "broken"]


async def test_without_halt_the_commands_after_an_error_still_run(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    cmd = {
        "broken": "sale.order.get?id=1",
        "after": f"sale.order.update?id={order.order_id}&fields[comments]=ran",
    }

    parts = await _batch(client, portal, cmd, halt=0)

    assert list(mapping(parts["result_error"])) == ["broken"]
    assert sandbox.order(portal.portal_id, order.order_id).comments == "ran"


async def test_halt_given_as_the_string_false_is_true_as_in_php(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    response = await call(
        client,
        portal,
        "batch",
        {
            "halt": "false",
            "cmd": {
                "broken": "sale.order.get?id=1",
                "after": f"sale.order.update?id={order.order_id}&fields[comments]=ran",
            },
        },
    )

    assert batch_parts(response)["result"] == []
    assert sandbox.order(portal.portal_id, order.order_id).comments == ""


async def test_a_nested_batch_is_refused(client: httpx.AsyncClient, portal: PortalInfo) -> None:
    parts = await _batch(client, portal, {"inner": "batch?cmd[x]=sale.status.list"})

    assert mapping(parts["result_error"]) == {
        "inner": {
            "error": "ERROR_BATCH_METHOD_NOT_ALLOWED",
            "error_description": "Method is not allowed for batch usage",
        }
    }


async def test_list_commands_report_total_and_next(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox
) -> None:
    # G0..K9: fifty new two-character delivery statuses next to the six preinstalled ones.
    adds = {
        f"s{n}": f"sale.status.add?fields[id]={chr(ord('G') + n // 10)}{n % 10}&fields[type]=D"
        for n in range(50)
    }
    added = await _batch(client, portal, adds)
    assert added["result_error"] == []

    parts = await _batch(
        client, portal, {"all": "sale.status.list", "one": "sale.status.list?filter[id]=DN"}
    )

    assert mapping(parts["result_total"]) == {"all": 56, "one": 1}
    assert mapping(parts["result_next"]) == {"all": 50}


async def test_an_array_of_commands_answers_with_lists(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    parts = await _batch(
        client, portal, [f"sale.order.get?id={order.order_id}", "sale.order.get?id=1"]
    )

    results = parts["result"]
    assert isinstance(results, list)
    assert len(results) == 1
    assert mapping(parts["result_error"])["1"] == {
        "error": 200540400001,
        "error_description": "order does not exist",
    }
    assert parts["result_next"] == []


async def test_a_form_encoded_batch_with_encoded_commands_works(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    form = {
        "halt": "1",
        "cmd[read]": f"sale.order.get?id={order.order_id}",
        "cmd[status]": f"sale.order.update?id={order.order_id}&fields[statusId]=P",
    }

    response = await client.post(f"{portal.webhook_path}batch.json", data=form)

    parts = batch_parts(response)
    assert parts["result_error"] == []
    status_update = mapping(mapping(parts["result"])["status"])
    assert mapping(status_update["order"])["statusId"] == "P"
