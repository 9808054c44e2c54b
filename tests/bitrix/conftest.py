"""Fixtures: the Bitrix REST client wired to a fresh Bitrix emulator over ASGI, on a test clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from app.bitrix.client import BitrixRestClient, build_bitrix_http_client
from app.config import Settings
from app.sandbox.bitrix import (
    BasketItemSeed,
    BitrixSandbox,
    BitrixSandboxConfig,
    FakeClock,
    OrderSeed,
    PaymentSeed,
    PortalInfo,
    SeededOrder,
    ShipmentSeed,
    create_bitrix_sandbox,
)

SHOP = "http://shop.test"


def rest_url(portal: PortalInfo) -> str:
    """The inbound-webhook URL a shop admin would paste: `http://shop.test/rest/1/<secret>/`."""
    return f"{SHOP}{portal.webhook_path}"


def handed_over_order() -> OrderSeed:
    """Delivery 349.90 on a shipment already allowed and deducted: what a naive update resets."""
    return OrderSeed(
        basket=[
            BasketItemSeed(name="Кружка", price=Decimal("512.30"), quantity=Decimal(2)),
            BasketItemSeed(name="Чайник", price=Decimal("1234.50")),
        ],
        shipments=[
            ShipmentSeed(
                delivery_id=12, price=Decimal("349.90"), allow_delivery=True, deducted=True
            )
        ],
        payments=[PaymentSeed(pay_system_id=2, paid=True)],
    )


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
async def http(bitrix_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=bitrix_app)
    async with build_bitrix_http_client(Settings(), transport=transport) as client:
        yield client


@pytest.fixture
def bitrix(http: httpx.AsyncClient) -> BitrixRestClient:
    return BitrixRestClient(http, call_deadline=2.0, wall_clock=lambda: 1_735_689_600.0)


@pytest.fixture
def portal(sandbox: BitrixSandbox) -> PortalInfo:
    return sandbox.create_portal()


@pytest.fixture
def order(sandbox: BitrixSandbox, portal: PortalInfo) -> SeededOrder:
    return sandbox.seed_order(portal.portal_id, handed_over_order())
