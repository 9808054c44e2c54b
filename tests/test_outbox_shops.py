"""Shops are delivered side by side: one that hangs holds back nobody else's updates."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI

from app.sandbox.bitrix import BitrixSandboxConfig, create_bitrix_sandbox
from app.sandbox.bitrix.faults import FaultSpec
from tests.bitrix_world import dispatcher, drain, wire_bitrix
from tests.conftest import ADMIN, ShopHandle, make_shop
from tests.test_outbox import ship


@pytest.fixture
def release() -> asyncio.Event:
    return asyncio.Event()


@pytest.fixture
def bitrix_sandbox(release: asyncio.Event) -> FastAPI:
    """A hanging portal hangs until the test releases it (well inside the call deadline)."""

    async def hang(_seconds: float) -> None:
        await release.wait()

    sleep: Callable[[float], Awaitable[None]] = hang
    return create_bitrix_sandbox(BitrixSandboxConfig(sleep=sleep))


async def done_ids(client: httpx.AsyncClient, shop: ShopHandle) -> list[int]:
    listed = await client.get(f"/api/v1/outbox?state=done&shop_id={shop.id}", headers=ADMIN)
    return [m["payload"]["bitrix_shipment_id"] for m in listed.json()["items"]]


async def test_a_hanging_shop_does_not_hold_back_another_shops_updates(
    app: FastAPI,
    client: httpx.AsyncClient,
    shop: ShopHandle,
    bitrix_sandbox: FastAPI,
    release: asyncio.Event,
) -> None:
    other = await make_shop(client, name="Другой магазин")
    hanging = await wire_bitrix(app, client, bitrix_sandbox, shop)
    healthy = await wire_bitrix(app, client, bitrix_sandbox, other)
    await ship(client, shop, hanging, 10452, 20871)  # the hanging shop's message comes first
    await ship(client, other, healthy, 10453, 20872)
    hanging.state.set_fault(hanging.portal_id, FaultSpec(mode="hang"))

    round_ = asyncio.create_task(dispatcher(app).run_once())
    try:
        for _ in range(250):  # up to ~5 s on a loaded machine
            if await done_ids(client, other):
                break
            await asyncio.sleep(0.02)
        # Delivered and committed while the other shop's request is still open.
        assert await done_ids(client, other) == [20872]
        assert healthy.status_updates(20872) == ["OS"]
        assert not round_.done()
    finally:
        release.set()
        await round_

    assert await done_ids(client, shop) == []  # the hang ended in a 504: it waits to be retried
    hanging.state.clear_fault(hanging.portal_id)
    await asyncio.sleep(0.1)  # the hanging shop's pause (0.01-0.05 s in the tests)
    assert await drain(app) == 1
    assert hanging.status_updates(20871) == ["OS"]
    assert healthy.status_updates(20872) == ["OS"]
