"""The Bitrix module's PHP classes against the real bridge: calculate, create a shipment, cancel."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from app.devdb import resolve_database_url

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_RUN = ROOT / "bitrix-module" / "tests" / "contract" / "run.php"
# Settings `python -m app dev` must choose itself (its sandbox, its keys), whatever the shell has.
_DEV_OWNS = ("OZON_BASE_URL", "SANDBOX", "ALLOW_LOCAL_URLS", "ADMIN_TOKEN", "SECRET_KEY")


@dataclass(frozen=True)
class Bridge:
    url: str
    shop_id: str
    token: str
    log: Path


@pytest.fixture
def php() -> str:
    """php-cli with curl, or the test is skipped (before any bridge is started)."""
    php = shutil.which("php")
    if php is None:
        pytest.skip(
            "php is not installed: the Bitrix module's contract run needs php-cli and php-curl "
            "(.ci/run installs them)"
        )
    probe = subprocess.run(  # noqa: S603 - our own probe, no user input
        [php, "-r", "exit(function_exists('curl_init') ? 0 : 1);"], check=False
    )
    if probe.returncode != 0:
        pytest.skip("php has no curl extension: apt-get install php-curl")
    return php


async def _execute(server_url: str, sql: str) -> None:
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture
def bridge(php: str, tmp_path: Path) -> Iterator[Bridge]:
    """`python -m app dev` (the sandbox and a demo shop) on a free port and a fresh database."""
    server = resolve_database_url(os.environ.get("DATABASE_URL"), os.environ.get("VAR_DIR", "var"))
    name = f"ozon_bridge_php_{os.getpid()}"
    asyncio.run(_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_execute(server, f'CREATE DATABASE "{name}"'))
    database_url = make_url(server).set(database=name).render_as_string(hide_password=False)
    var_dir = tmp_path / "var"
    log = tmp_path / "bridge.log"
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in _DEV_OWNS}
    env |= {"VAR_DIR": str(var_dir), "DATABASE_URL": database_url, "LOG_JSON": "false"}
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - the bridge itself, fixed arguments
            [sys.executable, "-m", "app", "dev", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"the bridge exited early:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the bridge was not ready in time:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        demo = json.loads((var_dir / "demo_shop.json").read_text())
        yield Bridge(url=url, shop_id=demo["shop_id"], token=demo["token"], log=log)
    finally:
        _stop(process)
        asyncio.run(_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_the_php_module_calculates_creates_and_cancels_against_the_real_bridge(
    php: str, bridge: Bridge
) -> None:
    run = subprocess.run(  # noqa: S603 - the repository's own contract script
        [php, str(CONTRACT_RUN)],
        env={
            **os.environ,
            "BRIDGE_URL": bridge.url,
            "SHOP_ID": bridge.shop_id,
            "SHOP_TOKEN": bridge.token,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    report = f"{run.stdout}\n{run.stderr}\n--- bridge log ---\n{bridge.log.read_text()[-4000:]}"
    assert run.returncode == 0, report
    assert "not ok" not in run.stdout, report
    assert "ok 11 - a cash-on-delivery order to a pickup point is created too" in run.stdout
