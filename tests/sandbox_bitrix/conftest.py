"""Fixtures for the Bitrix sandbox tests: a fresh emulator per test, on a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.sandbox.bitrix import (
    BitrixSandbox,
    BitrixSandboxConfig,
    FakeClock,
    PortalInfo,
    SeededOrder,
    create_bitrix_sandbox,
)
from tests.sandbox_bitrix.support import standard_order


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bitrix_app(clock: FakeClock) -> FastAPI:
    return create_bitrix_sandbox(BitrixSandboxConfig(clock=clock))


@pytest.fixture
def sandbox(bitrix_app: FastAPI) -> BitrixSandbox:
    state: BitrixSandbox = bitrix_app.state.bitrix
    return state


@pytest.fixture
async def client(bitrix_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=bitrix_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        yield http


@pytest.fixture
def portal(sandbox: BitrixSandbox) -> PortalInfo:
    return sandbox.create_portal()


@pytest.fixture
def order(sandbox: BitrixSandbox, portal: PortalInfo) -> SeededOrder:
    return sandbox.seed_order(portal.portal_id, standard_order())
