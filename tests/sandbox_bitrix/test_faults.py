"""Going down on command: 503/500 answers, hangs and slow answers, for N calls or a period."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from app.sandbox.bitrix import BitrixSandbox, FakeClock, FaultSpec, PortalInfo, SeededOrder
from tests.sandbox_bitrix.support import call, error


async def test_a_portal_down_for_two_calls_comes_back(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox
) -> None:
    sandbox.set_fault(portal.portal_id, FaultSpec(mode="unavailable", for_calls=2))

    down = [await call(client, portal, "sale.status.list") for _ in range(2)]
    back = await call(client, portal, "sale.status.list")

    assert [r.status_code for r in down] == [503, 503]
    assert down[0].headers["content-type"].startswith("text/html")
    assert back.status_code == 200
    outcomes = [c.outcome for c in sandbox.calls(portal.portal_id)]
    assert outcomes == ["fault:unavailable", "fault:unavailable", "ok"]


async def test_an_error_period_ends_when_its_time_is_up(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox, clock: FakeClock
) -> None:
    sandbox.set_fault(portal.portal_id, FaultSpec(mode="error", for_seconds=30))

    during = await call(client, portal, "sale.status.list")
    clock.advance(29)
    still = await call(client, portal, "sale.status.list")
    clock.advance(1)
    after = await call(client, portal, "sale.status.list")

    assert error(during) == (500, "INTERNAL_SERVER_ERROR", "Internal server error")
    assert still.status_code == 500
    assert after.status_code == 200


async def test_overload_answers_bitrix_json_and_lasts_until_cleared(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox, clock: FakeClock
) -> None:
    sandbox.set_fault(portal.portal_id, FaultSpec(mode="overload"))

    clock.advance(3600)
    during = await call(client, portal, "sale.status.list")
    sandbox.clear_fault(portal.portal_id)
    after = await call(client, portal, "sale.status.list")

    assert error(during)[:2] == (503, "OVERLOAD_LIMIT")
    assert after.status_code == 200


async def test_a_fault_can_hit_only_some_methods(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    spec = FaultSpec(mode="error", methods=["sale.shipment.update"], for_calls=1)
    sandbox.set_fault(portal.portal_id, spec)

    read = await call(client, portal, "sale.order.get", {"id": order.order_id})
    write = await call(
        client, portal, "sale.shipment.update", {"id": order.shipment_ids[0], "fields": {}}
    )

    assert read.status_code == 200
    assert write.status_code == 500


async def test_a_hanging_portal_processes_nothing(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    sandbox.set_fault(portal.portal_id, FaultSpec(mode="hang", hang_seconds=5, for_calls=1))
    payload = {"id": order.order_id, "fields": {"comments": "late"}}

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(call(client, portal, "sale.order.update", payload), 0.05)

    assert sandbox.order(portal.portal_id, order.order_id).comments == ""
    assert [c.outcome for c in sandbox.calls(portal.portal_id)] == ["fault:hang"]


async def test_a_hang_ends_in_a_gateway_timeout(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox
) -> None:
    sandbox.set_fault(portal.portal_id, FaultSpec(mode="hang", hang_seconds=0.01))

    response = await call(client, portal, "sale.status.list")

    assert response.status_code == 504


async def test_a_slow_answer_lands_even_when_the_client_gives_up(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    sandbox.set_fault(portal.portal_id, FaultSpec(mode="slow", hang_seconds=5, for_calls=1))
    fields = {"deliveryId": 12, "allowDelivery": "Y", "deducted": "Y", "basePriceDelivery": 100}

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(
            call(
                client,
                portal,
                "sale.shipment.update",
                {"id": order.shipment_ids[0], "fields": fields},
            ),
            0.05,
        )

    shipment = sandbox.shipment(portal.portal_id, order.shipment_ids[0])
    assert (shipment.deducted, shipment.price_delivery) == ("Y", Decimal("100.00"))


async def test_faults_are_switched_through_the_control_endpoints(
    client: httpx.AsyncClient, portal: PortalInfo
) -> None:
    control = f"/_sandbox/portals/{portal.portal_id}/fault"

    switched_on = await client.put(control, json={"mode": "unavailable"})
    down = await call(client, portal, "sale.status.list")
    switched_off = await client.delete(control)
    up = await call(client, portal, "sale.status.list")

    assert (switched_on.status_code, down.status_code) == (204, 503)
    assert (switched_off.status_code, up.status_code) == (204, 200)
