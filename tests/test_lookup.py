"""The hot-path lookups: a burst of requests missing the same entry reads the database once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.runtime import Runtime
from app.shops.lookup import ShopLookup
from tests.conftest import ShopHandle, make_shop


class CountingSessions:
    """The app's session factory, counting the sessions opened (one per database read)."""

    def __init__(self, runtime: Runtime) -> None:
        self._factory = runtime.session_factory
        self.opened = 0

    def __call__(self) -> AsyncSession:
        self.opened += 1
        return self._factory()


def lookup_for(app: FastAPI) -> tuple[ShopLookup, CountingSessions]:
    runtime: Runtime = app.state.runtime
    sessions = CountingSessions(runtime)
    factory: Any = sessions
    return ShopLookup(factory, runtime.secrets), sessions


async def test_a_burst_of_misses_reads_each_entry_once(app: FastAPI, shop: ShopHandle) -> None:
    lookup, sessions = lookup_for(app)
    shop_id = uuid.UUID(shop.id)

    shops = await asyncio.gather(*(lookup.shop_for_token(shop.token) for _ in range(20)))
    configs = await asyncio.gather(*(lookup.delivery_service(shop_id, 12) for _ in range(20)))

    assert set(shops) == {shop_id}
    assert {c.id for c in configs} == {configs[0].id}
    assert sessions.opened == 2


async def test_unknown_token_and_service_answer_every_caller(
    app: FastAPI, shop: ShopHandle
) -> None:
    lookup, sessions = lookup_for(app)

    shops = await asyncio.gather(*(lookup.shop_for_token("ors_unknown") for _ in range(5)))
    missing = await asyncio.gather(
        *(lookup.delivery_service(uuid.UUID(shop.id), 99) for _ in range(5)),
        return_exceptions=True,
    )

    assert shops == [None] * 5
    assert all(isinstance(e, NotFound) for e in missing)
    assert sessions.opened == 2


async def test_invalidated_settings_are_read_again(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    lookup, _ = lookup_for(app)
    shop_id = uuid.UUID(shop.id)
    before = await lookup.delivery_service(shop_id, 12)
    await make_shop(client, name="Другой магазин")  # unrelated writes change nothing
    put = await client.put(
        f"/api/v1/shops/{shop.id}/delivery-services/12",
        json={
            "params": {
                "OZON_API_KEY": "sandbox-key-0002",
                "SELLER_ID": "seller-1",
                "DEFAULT_WAREHOUSE_ID": "WH-2",
                "PARTIAL_ACCEPT": True,
            }
        },
        headers=shop.headers,
    )
    assert put.status_code == 200

    assert (await lookup.delivery_service(shop_id, 12)).warehouse_id == before.warehouse_id
    lookup.invalidate(shop_id, 12)
    assert (await lookup.delivery_service(shop_id, 12)).warehouse_id == "WH-2"
