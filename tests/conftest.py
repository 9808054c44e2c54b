"""Shared fixtures: a real PostgreSQL database with the migrations applied, the app wired to the
Ozon Rocket sandbox over ASGI, and helpers to make shops."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url

from app.config import Settings
from app.crypto import new_fernet_key
from app.devdb import resolve_database_url
from app.main import create_app
from app.migrate import upgrade_to_head
from app.models import Base
from app.sandbox.bitrix.app import create_bitrix_sandbox
from app.sandbox.bitrix.config import BitrixSandboxConfig
from app.sandbox.ozon_rocket.app import create_ozon_rocket_sandbox
from app.sandbox.ozon_rocket.config import SandboxConfig

# Timings vary with the machine's load; properties are what these tests are about.
hypothesis_settings.register_profile(
    "bridge", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("bridge")

ADMIN_TOKEN = "test-admin-token-0123456789"
OZON_BASE = "http://ozon-sandbox.test"


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin_execute(server_url: str, sql: str) -> None:
    u = make_url(server_url)
    conn = await asyncpg.connect(
        host=u.query.get("host") or u.host,
        port=u.port,
        user=u.username,
        password=u.password,
        database=u.database or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """TEST_DATABASE_URL as is; otherwise a fresh database next to DATABASE_URL (or embedded)."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        upgrade_to_head(explicit)
        yield explicit
        return
    server = resolve_database_url(os.environ.get("DATABASE_URL"), os.environ.get("VAR_DIR", "var"))
    name = f"ozon_bridge_test_{os.getpid()}"
    asyncio.run(_admin_execute(server, f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin_execute(server, f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    yield url
    asyncio.run(_admin_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def clean_db(database_url: str) -> AsyncIterator[str]:
    """Each test starts from empty tables (tests commit for real: workers, concurrency)."""
    yield database_url
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    u = make_url(database_url)
    conn = await asyncpg.connect(
        host=u.query.get("host") or u.host,
        port=u.port,
        user=u.username,
        password=u.password,
        database=u.database,
    )
    try:
        await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture
def settings(clean_db: str) -> Settings:
    return Settings(
        database_url=clean_db,
        admin_token=ADMIN_TOKEN,
        secret_key=new_fernet_key(),
        ozon_base_url=OZON_BASE,
        allow_local_urls=True,
        bitrix_url_allowed_hosts="bitrix.test",
        run_workers=False,
        log_json=True,
        calculate_deadline=1.0,
        bitrix_query_limit_wait=0.05,
        bitrix_overload_wait=0.05,
        outbox_backoff_base=0.01,
        outbox_backoff_cap=0.05,
        outbox_max_attempts=3,
    )


@pytest.fixture
async def ozon_sandbox() -> AsyncIterator[FastAPI]:
    sandbox = create_ozon_rocket_sandbox(SandboxConfig(webhook_retry_delays=(0.0, 0.0)))
    async with sandbox.router.lifespan_context(sandbox):
        yield sandbox


@pytest.fixture
def bitrix_sandbox() -> FastAPI:
    return create_bitrix_sandbox(BitrixSandboxConfig())


@pytest.fixture
async def app(
    settings: Settings, ozon_sandbox: FastAPI, bitrix_sandbox: FastAPI
) -> AsyncIterator[FastAPI]:
    """The bridge with Ozon and Bitrix = the emulators in-process; Ozon's webhooks go to it."""
    application = create_app(
        settings,
        ozon_transport=httpx.ASGITransport(app=ozon_sandbox),
        bitrix_transport=httpx.ASGITransport(app=bitrix_sandbox),
    )
    async with application.router.lifespan_context(application):
        await ozon_sandbox.state.sandbox.webhooks.use_transport(
            httpx.ASGITransport(app=application)
        )
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bridge.test"
    ) as c:
        yield c


ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class ShopHandle:
    id: str
    token: str
    body: dict[str, Any]
    webhook_secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


DEFAULT_PARAMS: dict[str, Any] = {
    "OZON_API_KEY": "sandbox-key-0001",
    "SELLER_ID": "seller-1",
    "DEFAULT_WAREHOUSE_ID": "WH-1",
    "PARTIAL_ACCEPT": True,
}


async def make_shop(
    client: httpx.AsyncClient,
    *,
    name: str = "Магазин посуды",
    delivery_id: int | None = 12,
    pricing: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> ShopHandle:
    secret = "whsec_" + uuid.uuid4().hex
    resp = await client.post(
        "/api/v1/shops",
        json={"name": name, "ozon_webhook_secrets": [secret]},
        headers=ADMIN,
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    shop = ShopHandle(id=body["id"], token=body["token"], body=body, webhook_secret=secret)
    if delivery_id is not None:
        put = await client.put(
            f"/api/v1/shops/{shop.id}/delivery-services/{delivery_id}",
            json={"params": params or DEFAULT_PARAMS, "pricing": pricing or {}},
            headers=shop.headers,
        )
        assert put.status_code == 201, put.text
    return shop


@pytest.fixture
async def shop(client: httpx.AsyncClient) -> ShopHandle:
    return await make_shop(client)
