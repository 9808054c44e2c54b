"""The webhook URL is a secret: the client's logs name the shop's host and method, never the URL."""

from __future__ import annotations

import httpx
import pytest
import respx
from structlog.testing import capture_logs

from app.bitrix.client import BitrixRestClient
from app.bitrix.port import BitrixError, Command
from app.sandbox.bitrix import BitrixSandbox, FaultSpec, PortalInfo, SeededOrder
from tests.bitrix.conftest import rest_url


async def test_calls_are_logged_by_host_and_method_without_the_secret(
    http: httpx.AsyncClient, sandbox: BitrixSandbox, portal: PortalInfo, order: SeededOrder
) -> None:
    url = rest_url(portal)
    # Made inside capture_logs: its logger binds to the capturing processors on first use,
    # whatever configure_logging (and its logger cache) did in earlier tests.
    with capture_logs() as logs:
        bitrix = BitrixRestClient(http)
        await bitrix.call(url, "sale.order.get", {"id": order.order_id})
        await bitrix.batch(url, {"s": Command("sale.shipment.get", {"id": order.shipment_ids[0]})})
        with pytest.raises(BitrixError):
            await bitrix.call(url, "sale.order.get", {"id": 1})
        sandbox.set_fault(portal.portal_id, FaultSpec(mode="unavailable"))
        with pytest.raises(BitrixError):
            await bitrix.call(url, "sale.order.get", {"id": order.order_id})

    assert [(e["method"], e["status"], e["log_level"]) for e in logs] == [
        ("sale.order.get", 200, "info"),
        ("batch", 200, "info"),
        ("sale.order.get", 400, "warning"),
        ("sale.order.get", 503, "warning"),
    ]
    assert {e["host"] for e in logs} == {"shop.test"}
    assert logs[2]["error"] == "200540400001"
    assert portal.secret not in repr(logs)


@respx.mock
async def test_network_failures_are_logged_without_the_secret() -> None:
    url = "https://shop.test/rest/7/n0t4l0gs/"
    respx.post(f"{url}sale.order.get.json").mock(side_effect=httpx.ConnectError(url))
    respx.post(f"{url}batch.json").mock(side_effect=httpx.ReadTimeout(url))

    with capture_logs() as logs:
        async with httpx.AsyncClient() as http:
            bitrix = BitrixRestClient(http)
            with pytest.raises(BitrixError):
                await bitrix.call(url, "sale.order.get", {"id": 1})
            with pytest.raises(BitrixError):
                await bitrix.batch(url, {"a": Command("sale.order.get", {"id": 1})})

    assert [(e["method"], e["error"]) for e in logs] == [
        ("sale.order.get", "UNREACHABLE"),
        ("batch", "TIMEOUT"),
    ]
    assert "n0t4l0gs" not in repr(logs)
