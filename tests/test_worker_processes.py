"""Real worker processes (`python -m app worker`) against one database and a Bitrix over HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from app.bitrix.client import BitrixRestClient
from app.bitrix.status_setup import ensure_delivery_statuses
from app.config import Settings
from app.domain.statuses import DEFAULT_STATUS_DEFS
from app.sandbox.bitrix.app import create_bitrix_sandbox
from app.sandbox.bitrix.config import BitrixSandboxConfig
from app.sandbox.bitrix.faults import FaultSpec
from app.sandbox.bitrix.portal import PortalOptions
from tests.bitrix_world import Portal
from tests.conftest import ShopHandle
from tests.test_outbox import ship


@dataclass
class HttpBitrix:
    app: FastAPI
    base: str


@pytest.fixture
def http_bitrix() -> Iterator[HttpBitrix]:
    """The Bitrix emulator on a real loopback port, so that other processes can reach it."""
    sandbox = create_bitrix_sandbox(BitrixSandboxConfig())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(sandbox, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield HttpBitrix(sandbox, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(5)


async def wire_http_bitrix(
    client: httpx.AsyncClient, shop: ShopHandle, bitrix: HttpBitrix
) -> Portal:
    state = bitrix.app.state.bitrix
    info = state.create_portal(PortalOptions())
    url = bitrix.base + info.webhook_path
    resp = await client.patch(
        f"/api/v1/shops/{shop.id}", json={"bitrix_rest_url": url}, headers=shop.headers
    )
    assert resp.status_code == 200, resp.text
    async with httpx.AsyncClient() as http:
        report = await ensure_delivery_statuses(
            BitrixRestClient(http), url, list(DEFAULT_STATUS_DEFS.values())
        )
    assert not report.failed
    return Portal(state=state, portal_id=info.portal_id, url=url)


def start_worker(settings: Settings, **extra: str) -> subprocess.Popen[bytes]:
    assert settings.secret_key is not None
    assert settings.admin_token is not None
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "ADMIN_TOKEN": settings.admin_token.get_secret_value(),
        "OZON_BASE_URL": "http://127.0.0.1:9",
        "ALLOW_LOCAL_URLS": "true",
        "OUTBOX_POLL_INTERVAL": "0.05",
        "OUTBOX_BACKOFF_BASE": "0.05",
        "OUTBOX_BACKOFF_CAP": "0.2",
        "RECONCILE_INTERVAL": "3600",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def outbox_states(settings: Settings) -> dict[str, int]:
    u = make_url(settings.database_url or "")
    conn = await asyncpg.connect(
        host=u.query.get("host") or u.host, port=u.port, user=u.username, database=u.database
    )
    try:
        rows = await conn.fetch("SELECT state, count(*) AS n FROM outbox GROUP BY state")
        return {r["state"]: r["n"] for r in rows}
    finally:
        await conn.close()


async def claim_held(settings: Settings) -> bool:
    """A worker holds outbox rows: it is in the middle of a delivery."""
    u = make_url(settings.database_url or "")
    conn = await asyncpg.connect(
        host=u.query.get("host") or u.host, port=u.port, user=u.username, database=u.database
    )
    try:
        n = await conn.fetchval(
            """SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
               WHERE c.relname = 'outbox' AND l.mode = 'RowShareLock'
                 AND l.pid <> pg_backend_pid()"""
        )
        return bool(n)
    finally:
        await conn.close()


async def wait_for(predicate: object, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


@pytest.fixture
async def workers() -> AsyncIterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in started:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def test_worker_killed_mid_delivery_delivers_after_restart(
    client: httpx.AsyncClient,
    shop: ShopHandle,
    settings: Settings,
    http_bitrix: HttpBitrix,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    portal = await wire_http_bitrix(client, shop, http_bitrix)
    await ship(client, shop, portal, 10452, 20871)
    portal.state.set_fault(
        portal.portal_id, FaultSpec(mode="hang", methods=["batch"], hang_seconds=30)
    )
    first = start_worker(settings)
    workers.append(first)
    await wait_for(lambda: claim_held(settings), within=20)
    first.send_signal(signal.SIGKILL)
    first.wait(5)
    assert (await outbox_states(settings)) == {"pending": 1}
    portal.state.clear_fault(portal.portal_id)

    workers.append(start_worker(settings))

    async def delivered() -> bool:
        return (await outbox_states(settings)).get("done") == 1

    await wait_for(delivered, within=20)
    assert portal.status_updates(20871) == ["OS"]


async def test_two_worker_processes_never_deliver_twice(
    client: httpx.AsyncClient,
    shop: ShopHandle,
    settings: Settings,
    http_bitrix: HttpBitrix,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    portal = await wire_http_bitrix(client, shop, http_bitrix)
    count = 40
    for n in range(count):
        await ship(client, shop, portal, 5000 + n, 6000 + n)
    workers.append(start_worker(settings, OUTBOX_CLAIM_SIZE="3"))
    workers.append(start_worker(settings, OUTBOX_CLAIM_SIZE="3"))

    async def all_done() -> bool:
        return (await outbox_states(settings)).get("done") == count

    await wait_for(all_done, within=40)
    for n in range(count):
        assert portal.status_updates(6000 + n) == ["OS"], n
    assert all(proc.poll() is None for proc in workers), "a worker died"


async def test_sigterm_releases_claimed_messages_and_exits(
    client: httpx.AsyncClient,
    shop: ShopHandle,
    settings: Settings,
    http_bitrix: HttpBitrix,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    portal = await wire_http_bitrix(client, shop, http_bitrix)
    await ship(client, shop, portal, 10452, 20871)
    portal.state.set_fault(
        portal.portal_id, FaultSpec(mode="hang", methods=["batch"], hang_seconds=30)
    )
    worker = start_worker(settings, SHUTDOWN_GRACE="0.5")
    workers.append(worker)
    await wait_for(lambda: claim_held(settings), within=20)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(10) == 0  # stopped on its own, cleanly
    assert not await claim_held(settings)
    assert (await outbox_states(settings)) == {"pending": 1}  # released, not lost
    portal.state.clear_fault(portal.portal_id)
    workers.append(start_worker(settings))

    async def delivered() -> bool:
        return (await outbox_states(settings)).get("done") == 1

    await wait_for(delivered, within=20)
    assert portal.status_updates(20871) == ["OS"]
