"""The Bitrix REST client against the Bitrix emulator: calls, batches, and each failure's class."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from app.bitrix.client import BitrixRestClient
from app.bitrix.port import (
    BitrixRejected,
    BitrixThrottled,
    BitrixUnavailable,
    Command,
    CommandError,
)
from app.sandbox.bitrix import BitrixSandbox, FaultSpec, PortalInfo, PortalOptions, SeededOrder
from tests.bitrix.conftest import handed_over_order, rest_url

REF = "$result[get][shipment]"


def _status_push(shipment_id: int, status_id: str, tracking: str) -> dict[str, Command]:
    """Read the shipment, then update it re-sending what Bitrix resets when it is left out."""
    fields = {
        "deliveryId": f"{REF}[deliveryId]",
        "allowDelivery": f"{REF}[allowDelivery]",
        "deducted": f"{REF}[deducted]",
        "basePriceDelivery": f"{REF}[basePriceDelivery]",
        "statusId": status_id,
        "trackingNumber": tracking,
    }
    return {
        "get": Command("sale.shipment.get", {"id": shipment_id}),
        "push": Command("sale.shipment.update", {"id": shipment_id, "fields": fields}),
    }


def _mapping(value: Any) -> dict[str, Any]:
    assert isinstance(value, dict), value
    return value


# --- what works -------------------------------------------------------------------------------


async def test_a_direct_call_returns_the_result_with_money_as_decimal(
    bitrix: BitrixRestClient, portal: PortalInfo, order: SeededOrder
) -> None:
    result = await bitrix.call(rest_url(portal), "sale.shipment.get", {"id": order.shipment_ids[0]})

    shipment = _mapping(_mapping(result)["shipment"])
    assert shipment["id"] == order.shipment_ids[0]
    assert (shipment["deliveryId"], shipment["deducted"]) == (12, "Y")
    assert shipment["priceDelivery"] == Decimal("349.90")


async def test_a_status_push_through_references_keeps_delivery_flags_and_price(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo, order: SeededOrder
) -> None:
    shipment_id = order.shipment_ids[0]

    outcome = await bitrix.batch(
        rest_url(portal), _status_push(shipment_id, "DF", "OZR123456789RU"), halt=True
    )

    assert outcome.errors == {}
    assert set(outcome.results) == {"get", "push"}
    shipment = sandbox.shipment(portal.portal_id, shipment_id)
    assert (shipment.status_id, shipment.tracking_number) == ("DF", "OZR123456789RU")
    assert (shipment.delivery_id, shipment.allow_delivery, shipment.deducted) == (12, "Y", "Y")
    assert shipment.price_delivery == Decimal("349.90")
    assert sandbox.order(portal.portal_id, order.order_id).price == order.price


async def test_each_failed_command_comes_back_with_its_code_as_text(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo, order: SeededOrder
) -> None:
    commands = {
        "missing": Command("sale.shipment.get", {"id": 999_999}),
        "bare": Command(
            "sale.shipment.update", {"id": order.shipment_ids[0], "fields": {"x": "1"}}
        ),
        "order": Command("sale.order.get", {"id": order.order_id}),
    }

    outcome = await bitrix.batch(rest_url(portal), commands)

    assert outcome.errors == {
        "missing": CommandError("201140400001", "shipment does not exist"),
        # Bitrix's "other error" is the number 0: falsy, and still an error.
        "bare": CommandError("0", "Required fields: deliveryId, allowDelivery, deducted"),
    }
    assert set(outcome.results) == {"order"}
    assert sandbox.shipment(portal.portal_id, order.shipment_ids[0]).status_id == "DN"


async def test_numeric_batch_keys_come_back_as_the_keys_sent(
    bitrix: BitrixRestClient, portal: PortalInfo, order: SeededOrder
) -> None:
    # PHP turns keys "0".."n-1" into a JSON list; the outcome must not care.
    commands = {
        "0": Command("sale.order.get", {"id": order.order_id}),
        "1": Command("sale.shipment.get", {"id": order.shipment_ids[0]}),
    }

    outcome = await bitrix.batch(rest_url(portal), commands)

    assert set(outcome.results) == {"0", "1"}
    assert _mapping(outcome.results["1"])["shipment"]["id"] == order.shipment_ids[0]


async def test_the_module_sets_status_and_tracking_without_the_shipment_fields(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox
) -> None:
    shop = sandbox.create_portal(PortalOptions(module_installed=True))
    seeded = sandbox.seed_order(shop.portal_id, handed_over_order())
    shipment_id = seeded.shipment_ids[0]
    params = {
        "shipmentId": shipment_id,
        "statusId": "DF",
        "trackingNumber": "OZR123456789RU",
        "orderStatusId": None,
    }

    result = await bitrix.call(rest_url(shop), "ozonrocket.shipment.status", params)

    assert result == {
        "shipmentId": shipment_id,
        "statusId": "DF",
        "trackingNumber": "OZR123456789RU",
    }
    shipment = sandbox.shipment(shop.portal_id, shipment_id)
    assert (shipment.deducted, shipment.price_delivery) == ("Y", Decimal("349.90"))


async def test_an_empty_batch_sends_nothing(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo
) -> None:
    outcome = await bitrix.batch(rest_url(portal), {})

    assert (outcome.results, outcome.errors) == ({}, {})
    assert sandbox.calls(portal.portal_id) == []


async def test_more_than_50_commands_are_the_callers_mistake(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo
) -> None:
    commands = {f"c{i}": Command("sale.status.list", {}) for i in range(51)}

    with pytest.raises(ValueError, match="at most 50"):
        await bitrix.batch(rest_url(portal), commands)

    assert sandbox.calls(portal.portal_id) == []


# --- rejected: retrying will not help ---------------------------------------------------------


async def test_a_failed_direct_call_is_rejected_with_bitrix_code(
    bitrix: BitrixRestClient, portal: PortalInfo, order: SeededOrder
) -> None:
    params = {"id": order.shipment_ids[0], "fields": {"statusId": "DF"}}

    with pytest.raises(BitrixRejected) as caught:
        await bitrix.call(rest_url(portal), "sale.shipment.update", params)

    assert (caught.value.status, caught.value.code) == (400, "0")
    assert caught.value.description.startswith("Required fields")


async def test_an_unknown_webhook_is_rejected(bitrix: BitrixRestClient, portal: PortalInfo) -> None:
    revoked = rest_url(portal).replace(portal.secret, "revoked0secret")

    with pytest.raises(BitrixRejected) as caught:
        await bitrix.call(revoked, "sale.status.list", {})

    assert (caught.value.status, caught.value.code) == (401, "INVALID_CREDENTIALS")


async def test_module_methods_without_the_module_are_rejected(
    bitrix: BitrixRestClient, portal: PortalInfo, order: SeededOrder
) -> None:
    params = {"shipmentId": order.shipment_ids[0], "statusId": "DF"}

    with pytest.raises(BitrixRejected) as caught:
        await bitrix.call(rest_url(portal), "ozonrocket.shipment.status", params)

    assert (caught.value.status, caught.value.code) == (404, "ERROR_METHOD_NOT_FOUND")


@pytest.mark.parametrize("url", ["not a url", "ftp://shop.test/rest/1/abc/", "/rest/1/abc/"])
async def test_a_url_that_cannot_be_a_webhook_is_rejected_before_any_request(
    bitrix: BitrixRestClient, url: str
) -> None:
    with pytest.raises(BitrixRejected) as caught:
        await bitrix.call(url, "sale.status.list", {})

    assert caught.value.code == "INVALID_URL"


# --- throttled: pause the whole shop ----------------------------------------------------------


async def test_past_the_burst_the_shop_is_throttled_for_a_few_seconds(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox
) -> None:
    shop = sandbox.create_portal(PortalOptions(burst=3))
    for _ in range(3):
        await bitrix.call(rest_url(shop), "sale.status.list", {})

    with pytest.raises(BitrixThrottled) as caught:
        await bitrix.batch(rest_url(shop), {"a": Command("sale.status.list", {})})

    assert (caught.value.status, caught.value.code) == (503, "QUERY_LIMIT_EXCEEDED")
    assert caught.value.retry_after == 5.0


async def test_an_overloaded_portal_throttles_for_longer(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo
) -> None:
    sandbox.set_fault(portal.portal_id, FaultSpec(mode="overload"))

    with pytest.raises(BitrixThrottled) as caught:
        await bitrix.call(rest_url(portal), "sale.status.list", {})

    assert (caught.value.code, caught.value.retry_after) == ("OVERLOAD_LIMIT", 30.0)


async def test_the_operating_limit_throttles_the_shop(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox
) -> None:
    options = PortalOptions(operating_limit_enabled=True, operating_limit_seconds=0.05)
    shop = sandbox.create_portal(options.model_copy(update={"method_cost_seconds": 0.05}))
    await bitrix.call(rest_url(shop), "sale.status.list", {})

    with pytest.raises(BitrixThrottled) as caught:
        await bitrix.call(rest_url(shop), "sale.status.list", {})

    assert (caught.value.status, caught.value.code) == (429, "OPERATION_TIME_LIMIT")
    assert caught.value.retry_after == 60.0


@respx.mock
async def test_the_operating_limit_wait_comes_from_operating_reset_at() -> None:
    now = 1_735_689_600.0
    body = {
        "error": "OPERATION_TIME_LIMIT",
        "error_description": "Method is blocked due to operation time limit.",
        "time": {"operating_reset_at": int(now) + 120},
    }
    respx.post("https://shop.test/rest/1/s3cret/sale.order.get.json").respond(429, json=body)

    async with httpx.AsyncClient() as http:
        client = BitrixRestClient(http, wall_clock=lambda: now)
        with pytest.raises(BitrixThrottled) as caught:
            await client.call("https://shop.test/rest/1/s3cret/", "sale.order.get", {"id": 1})

    assert caught.value.retry_after == 120.0


# --- unavailable: the shop is down, retry later -----------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        (FaultSpec(mode="unavailable"), 503, "HTTP_503"),
        (FaultSpec(mode="error"), 500, "INTERNAL_SERVER_ERROR"),
        (FaultSpec(mode="hang", hang_seconds=0.01), 504, "HTTP_504"),
    ],
    ids=["nginx-503-page", "bitrix-500", "gateway-timeout-page"],
)
async def test_a_portal_that_is_down_is_unavailable(
    bitrix: BitrixRestClient,
    sandbox: BitrixSandbox,
    portal: PortalInfo,
    order: SeededOrder,
    fault: FaultSpec,
    status: int,
    code: str,
) -> None:
    sandbox.set_fault(portal.portal_id, fault)

    with pytest.raises(BitrixUnavailable) as caught:
        await bitrix.batch(rest_url(portal), _status_push(order.shipment_ids[0], "DF", "T1"))

    assert (caught.value.status, caught.value.code) == (status, code)


async def test_an_html_page_is_described_by_its_title(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo
) -> None:
    sandbox.set_fault(portal.portal_id, FaultSpec(mode="unavailable"))

    with pytest.raises(BitrixUnavailable) as caught:
        await bitrix.call(rest_url(portal), "sale.status.list", {})

    assert caught.value.description == "503 Service Temporarily Unavailable"


async def test_a_hanging_portal_is_unavailable_when_the_deadline_passes(
    http: httpx.AsyncClient, sandbox: BitrixSandbox, portal: PortalInfo, order: SeededOrder
) -> None:
    sandbox.set_fault(portal.portal_id, FaultSpec(mode="hang", hang_seconds=5))
    impatient = BitrixRestClient(http, call_deadline=0.05)

    with pytest.raises(BitrixUnavailable) as caught:
        await impatient.call(rest_url(portal), "sale.order.get", {"id": order.order_id})

    assert (caught.value.code, caught.value.status) == ("TIMEOUT", None)


@respx.mock
async def test_an_unreachable_shop_is_unavailable_and_the_error_hides_the_secret() -> None:
    url = "https://shop.test/rest/1/s3cret0key/"
    respx.post(f"{url}sale.order.get.json").mock(
        side_effect=httpx.ConnectError(f"cannot reach {url}sale.order.get.json")
    )

    async with httpx.AsyncClient() as http:
        with pytest.raises(BitrixUnavailable) as caught:
            await BitrixRestClient(http).call(url, "sale.order.get", {"id": 1})

    assert caught.value.code == "UNREACHABLE"
    assert "s3cret0key" not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
