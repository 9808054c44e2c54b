"""Fixtures for the Ozon Rocket sandbox: a frozen clock, the app over ASGI and a token helper."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.sandbox.ozon_rocket import SandboxClock, SandboxConfig, SandboxState
from app.sandbox.ozon_rocket import create_ozon_rocket_sandbox as create_sandbox
from app.sandbox.ozon_rocket.docs import ORDER_EXAMPLE

BASE_URL = "http://ozon-sandbox.test"
START = datetime(2025, 12, 3, 10, 0, tzinfo=UTC)
# Enough points for PVZ-77-000123 and LCK-78-000045 to exist, small enough to build fast.
SMALL_NETWORK = 2000

PACKAGE = {"weight": 1200, "length": 300, "width": 200, "height": 100}


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock(frozen_at=START)


@pytest.fixture
def sandbox(clock: SandboxClock) -> FastAPI:
    return create_sandbox(SandboxConfig(clock=clock, pickup_point_count=SMALL_NETWORK))


@pytest.fixture
def state(sandbox: FastAPI) -> SandboxState:
    sandbox_state: SandboxState = sandbox.state.sandbox
    return sandbox_state


@pytest.fixture
async def ozon(sandbox: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox), base_url=BASE_URL
    ) as client:
        yield client


async def bearer(
    client: httpx.AsyncClient, api_key: str = "key-0001", seller_id: str = "seller-1"
) -> dict[str, str]:
    response = await client.post(
        "/v1/auth/token", json={"api_key": api_key, "seller_id": seller_id}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def auth(ozon: httpx.AsyncClient) -> dict[str, str]:
    return await bearer(ozon)


def quote_body(city: str = "Москва", /, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "from": {"warehouse_id": "WH-1"},
        "to": {"delivery_type": "to_address", "address": {"city": city, "street": "Тверская"}},
        "packages": [dict(PACKAGE)],
        "declared_value": 4990.00,
    }
    body.update(changes)
    return body


def order_body(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(ORDER_EXAMPLE)  # the contract's own example, as in the docs
    body.update(changes)
    return body


async def create_order(
    client: httpx.AsyncClient, headers: dict[str, str], **changes: Any
) -> dict[str, Any]:
    response = await client.post("/v1/orders", json=order_body(**changes), headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def advance(
    client: httpx.AsyncClient, order_id: str, status: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/_sandbox/orders/{order_id}/advance",
        params={"wait": "true"},
        json={"status": status, **body},
    )
