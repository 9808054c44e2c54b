"""The Ozon client exactly as production builds it (aiohttp under httpx), against the sandbox
served on a real loopback socket: answers, Ozon's errors, refused connections and hangs.

tests/ozon/test_client.py covers the client's logic over respx; this file covers the bytes."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import httpx
import pytest

from app.config import Settings
from app.domain.carrier import (
    CarrierAuthError,
    CarrierCredentials,
    CarrierUnavailableError,
    CarrierValidationError,
    Package,
    QuoteRequest,
)
from app.ozon.client import OzonRocketClient, build_http_client
from app.sandbox.ozon_rocket.app import create_ozon_rocket_sandbox
from app.sandbox.ozon_rocket.config import SandboxConfig
from tests.ozon.test_client import QUOTE
from tests.serving import serve_in_thread

CREDS = CarrierCredentials(api_key="sandbox-key-transport", seller_id="SELLER-T")


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    sandbox = create_ozon_rocket_sandbox(
        SandboxConfig(rate_limit_per_second=None, hang_limit_seconds=5.0)
    )
    with serve_in_thread(sandbox) as url:
        yield url


@pytest.fixture
async def sandbox_control(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=10) as control:
        yield control
        (await control.delete("/_sandbox/faults")).raise_for_status()


def production_client(
    base_url: str, *, read_timeout: float = 10.0, deadline: float = 15.0
) -> tuple[httpx.AsyncClient, OzonRocketClient]:
    settings = Settings(ozon_base_url=base_url, ozon_read_timeout=read_timeout)
    http = build_http_client(settings)
    return http, OzonRocketClient(http, call_deadline=deadline, max_attempts=2)


async def test_calculate_over_the_wire(sandbox_url: str) -> None:
    http, client = production_client(sandbox_url)
    async with http:
        first = await client.calculate(CREDS, QUOTE)
        # The second call reuses the pooled connection and the cached token.
        second = await client.calculate(CREDS, QUOTE)
    assert first, "the sandbox delivers to Moscow"
    assert [o.option_id for o in first] == [o.option_id for o in second]
    assert all(isinstance(o.price, Decimal) and o.price > 0 for o in first)


async def test_ozon_rejections_keep_their_code_and_details(sandbox_url: str) -> None:
    http, client = production_client(sandbox_url)
    async with http:
        with pytest.raises(CarrierAuthError) as auth:
            await client.calculate(CarrierCredentials("invalid-key", "SELLER-T"), QUOTE)
        bad_weight = QuoteRequest(
            **{**QUOTE.__dict__, "packages": (Package(weight=0, length=1, width=1, height=1),)}
        )
        with pytest.raises(CarrierValidationError) as invalid:
            await client.calculate(CREDS, bad_weight)
    assert auth.value.error_code == "INVALID_API_KEY"
    assert invalid.value.error_code == "VALIDATION_ERROR"
    assert invalid.value.details, "Ozon's field details come through"


async def test_a_refused_connection_is_unavailable_at_once() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens here once the probe closes
    http, client = production_client(f"http://127.0.0.1:{port}")
    started = time.monotonic()
    async with http:
        with pytest.raises(CarrierUnavailableError):
            await client.calculate(CREDS, QUOTE)
    assert time.monotonic() - started < 5.0  # two attempts and a backoff, no timeout waited out


async def test_a_hanging_ozon_ends_at_the_read_timeout(
    sandbox_url: str, sandbox_control: httpx.AsyncClient
) -> None:
    http, client = production_client(sandbox_url, read_timeout=0.3, deadline=3.0)
    async with http:
        await client.calculate(CREDS, QUOTE)  # token and connection in place before the hang
        fault = {"path_prefix": "/v1/calculate", "hang": True}
        (await sandbox_control.post("/_sandbox/faults", json=fault)).raise_for_status()
        started = time.monotonic()
        with pytest.raises(CarrierUnavailableError) as hung:
            await client.calculate(CREDS, QUOTE)
        waited = time.monotonic() - started
    # Both attempts hit the read timeout (0.3 s each): well inside the 3 s deadline, and not the
    # sandbox's 5 s hang limit, which would mean the timeout never reached the socket.
    assert waited < 2.5, waited
    assert hung.value.error_code != "DEADLINE_EXCEEDED"
    assert "ReadTimeout" in str(hung.value)


async def test_a_cookie_ozon_sets_never_goes_out_again() -> None:
    # One client carries every shop's calls: a cookie set on one would ride on the next.
    sent: list[httpx.Request] = []

    async def ozon(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path.endswith("/v1/auth/token"):
            body = {"access_token": "t-1", "token_type": "Bearer", "expires_in": 3600}
            return httpx.Response(200, json=body, headers={"Set-Cookie": "lb=shop-a; Path=/"})
        return httpx.Response(200, json={"options": []}, headers={"Set-Cookie": "sid=1; Path=/"})

    settings = Settings(ozon_base_url="https://rocket.example/api/logistics")
    async with build_http_client(settings, transport=httpx.MockTransport(ozon)) as http:
        client = OzonRocketClient(http, call_deadline=5.0, max_attempts=1)
        await client.calculate(CREDS, QUOTE)
        await client.calculate(CarrierCredentials("other-shop-key", "SELLER-B"), QUOTE)
        assert len(http.cookies) == 0
    assert len(sent) == 4  # token, calculate, the other shop's token, calculate
    assert [r.headers.get("cookie") for r in sent] == [None, None, None, None]
