"""Leaky bucket (503 QUERY_LIMIT_EXCEEDED) and operating limit (429 OPERATION_TIME_LIMIT)."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st

from app.sandbox.bitrix import BitrixSandbox, FakeClock, PortalInfo, PortalOptions, SeededOrder
from app.sandbox.bitrix.bucket import LeakyBucket
from tests.sandbox_bitrix.support import batch_parts, body, call, error, mapping


async def _statuses(client: httpx.AsyncClient, portal: PortalInfo, times: int) -> list[int]:
    return [(await call(client, portal, "sale.status.list")).status_code for _ in range(times)]


async def test_a_burst_of_50_passes_and_the_51st_is_refused(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox
) -> None:
    assert await _statuses(client, portal, 50) == [200] * 50

    response = await call(client, portal, "sale.status.list")

    assert error(response) == (503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
    assert sandbox.calls(portal.portal_id)[-1].outcome == "QUERY_LIMIT_EXCEEDED"


async def test_the_bucket_drains_two_requests_a_second(
    client: httpx.AsyncClient, portal: PortalInfo, clock: FakeClock
) -> None:
    await _statuses(client, portal, 50)

    clock.advance(0.5)
    assert await _statuses(client, portal, 2) == [200, 503]

    clock.advance(10)
    assert await _statuses(client, portal, 21) == [200] * 20 + [503]


async def test_a_batch_counts_as_one_request(client: httpx.AsyncClient, portal: PortalInfo) -> None:
    await _statuses(client, portal, 49)
    commands = {f"c{i}": "sale.status.list" for i in range(10)}

    batch = await call(client, portal, "batch", {"halt": 0, "cmd": commands})

    assert len(mapping(batch_parts(batch)["result"])) == 10
    assert (await call(client, portal, "sale.status.list")).status_code == 503


async def test_the_bucket_size_and_drain_rate_are_per_portal(
    client: httpx.AsyncClient, sandbox: BitrixSandbox, clock: FakeClock
) -> None:
    small = sandbox.create_portal(PortalOptions(burst=3, drain_per_second=1))
    default = sandbox.create_portal()

    assert await _statuses(client, small, 4) == [200, 200, 200, 503]
    assert await _statuses(client, default, 4) == [200] * 4
    clock.advance(1)
    assert await _statuses(client, small, 2) == [200, 503]


async def test_the_operating_limit_blocks_a_costly_method_until_its_window_passes(
    client: httpx.AsyncClient, sandbox: BitrixSandbox, clock: FakeClock
) -> None:
    options = PortalOptions(operating_limit_enabled=True, method_costs={"sale.order.get": 200.0})
    portal = sandbox.create_portal(options)
    seeded = sandbox.seed_order(portal.portal_id, _one_line_order())

    statuses = [
        (await call(client, portal, "sale.order.get", {"id": seeded.order_id})).status_code
        for _ in range(4)
    ]
    blocked = await call(client, portal, "sale.order.get", {"id": seeded.order_id})
    other = await call(client, portal, "sale.status.list")
    clock.advance(601)
    later = await call(client, portal, "sale.order.get", {"id": seeded.order_id})

    assert statuses == [200, 200, 200, 429]
    assert error(blocked)[:2] == (429, "OPERATION_TIME_LIMIT")
    assert other.status_code == 200
    assert later.status_code == 200
    assert mapping(body(later)["time"])["operating"] == 200


async def test_the_operating_limit_is_off_by_default(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    sandbox.configure_portal(portal.portal_id, method_costs={"sale.order.get": 1000.0})

    statuses = [
        (await call(client, portal, "sale.order.get", {"id": order.order_id})).status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 200]


@given(
    burst=st.integers(min_value=1, max_value=60),
    rate=st.floats(min_value=0.1, max_value=10),
    gaps=st.lists(st.floats(min_value=0, max_value=2), min_size=1, max_size=200),
)
def test_the_bucket_never_admits_more_than_burst_plus_what_drained(
    burst: int, rate: float, gaps: list[float]
) -> None:
    bucket = LeakyBucket(burst, rate)
    now, admitted = 0.0, 0
    for gap in gaps:
        now += gap
        admitted += bucket.try_acquire(now)
    assert admitted <= burst + rate * now + 1e-9


def _one_line_order() -> dict[str, object]:
    return {"basket": [{"name": "Кружка", "price": "100"}]}
