"""Injected faults, the per-key rate limit, request ids, stats and the error shape at the edge."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from app.sandbox.ozon_rocket import SandboxClock, SandboxConfig, SandboxState
from app.sandbox.ozon_rocket import create_ozon_rocket_sandbox as create_sandbox
from tests.sandbox.conftest import BASE_URL, bearer, quote_body

Headers = dict[str, str]


async def test_a_counted_fault_fails_that_many_calls_then_lets_them_through(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    fault = await ozon.post(
        "/_sandbox/faults", json={"path_prefix": "/v1/calculate", "status": 503, "count": 2}
    )
    assert fault.status_code == 201
    statuses = []
    for _ in range(3):
        response = await ozon.post("/v1/calculate", json=quote_body(), headers=auth)
        statuses.append(response.status_code)
        assert response.headers["X-Request-Id"]
    assert statuses == [503, 503, 200]
    stats = (await ozon.get("/_sandbox/stats")).json()
    assert stats["requests"]["/v1/calculate"] == 3
    assert stats["responses_by_status"]["503"] == 2


async def test_a_fault_answers_in_the_contract_error_shape(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    await ozon.post("/_sandbox/faults", json={"status": 429, "retry_after": 7, "count": 1})
    response = await ozon.get("/v1/pickup-points", headers=auth)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error_code"] == "RATE_LIMITED"
    assert set(response.json()) == {"error_code", "message", "details"}


async def test_faults_only_hit_their_path_and_method(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    await ozon.post(
        "/_sandbox/faults", json={"path_prefix": "/v1/orders", "method": "GET", "status": 500}
    )
    assert (await ozon.post("/v1/calculate", json=quote_body(), headers=auth)).status_code == 200
    assert (await ozon.get("/v1/orders/RKT-000001", headers=auth)).status_code == 500
    assert (await ozon.get("/_sandbox/stats")).status_code == 200


async def test_an_injected_401_can_exercise_a_clients_token_refresh(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    await ozon.post("/_sandbox/faults", json={"status": 401, "count": 1})
    response = await ozon.post("/v1/calculate", json=quote_body(), headers=auth)
    assert response.json()["error_code"] == "TOKEN_EXPIRED"


async def test_latency_delays_the_answer(ozon: httpx.AsyncClient, auth: Headers) -> None:
    await ozon.post("/_sandbox/faults", json={"latency_ms": 60, "count": 1})
    started = time.perf_counter()
    response = await ozon.post("/v1/calculate", json=quote_body(), headers=auth)
    assert time.perf_counter() - started >= 0.06
    assert response.status_code == 200


async def test_a_hanging_call_is_released_by_clearing_the_faults(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    await ozon.post("/_sandbox/faults", json={"path_prefix": "/v1/calculate", "hang": True})
    call = asyncio.ensure_future(ozon.post("/v1/calculate", json=quote_body(), headers=auth))
    await asyncio.sleep(0.05)
    assert not call.done()
    cleared = await ozon.delete("/_sandbox/faults")
    assert cleared.json() == {"cleared": 1}
    response = await asyncio.wait_for(call, 1)
    assert response.status_code == 504
    assert (await ozon.post("/v1/calculate", json=quote_body(), headers=auth)).status_code == 200


async def test_a_client_deadline_can_abandon_a_hanging_call(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    await ozon.post("/_sandbox/faults", json={"hang": True, "count": 1})
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ozon.get("/v1/pickup-points", headers=auth), 0.05)
    assert time.perf_counter() - started < 1


async def test_the_21st_call_in_a_second_is_rate_limited(
    ozon: httpx.AsyncClient, auth: Headers, clock: SandboxClock
) -> None:
    statuses = [
        (await ozon.get("/v1/pickup-points", params={"limit": 1}, headers=auth)).status_code
        for _ in range(20)  # the token exchange was the first call of this key
    ]
    assert statuses == [200] * 19 + [429]
    limited = await ozon.get("/v1/pickup-points", params={"limit": 1}, headers=auth)
    assert limited.json()["error_code"] == "RATE_LIMITED"
    assert limited.headers["Retry-After"] == "1"
    other_key = await bearer(ozon, "key-0002", "seller-2")
    assert (await ozon.get("/v1/pickup-points", headers=other_key)).status_code == 200
    clock.advance(1)
    assert (await ozon.get("/v1/pickup-points", headers=auth)).status_code == 200


async def test_the_rate_limit_can_be_switched_off(clock: SandboxClock) -> None:
    app = create_sandbox(
        SandboxConfig(clock=clock, rate_limit_per_second=None, pickup_point_count=10)
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        auth = await bearer(c)
        for _ in range(30):
            assert (await c.get("/v1/pickup-points", headers=auth)).status_code == 200


async def test_unknown_paths_and_methods_answer_in_the_error_shape(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    missing = await ozon.get("/v1/nothing-here", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "NOT_FOUND"
    assert missing.headers["X-Request-Id"]
    wrong_method = await ozon.get("/v1/calculate", headers=auth)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error_code"] == "METHOD_NOT_ALLOWED"


async def test_request_ids_differ_per_response(ozon: httpx.AsyncClient, auth: Headers) -> None:
    first = await ozon.post("/v1/calculate", json=quote_body(), headers=auth)
    second = await ozon.post("/v1/calculate", json=quote_body(), headers=auth)
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


async def test_the_sandbox_answers_the_same_under_a_mount_prefix(clock: SandboxClock) -> None:
    from fastapi import FastAPI

    sandbox = create_sandbox(SandboxConfig(clock=clock, pickup_point_count=10))
    host = FastAPI()
    host.mount("/sandbox/ozon-rocket", sandbox)
    base = f"{BASE_URL}/sandbox/ozon-rocket"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=host), base_url=base) as c:
        await c.post("/_sandbox/faults", json={"path_prefix": "/v1/calculate", "status": 502})
        auth = await bearer(c)
        response = await c.post("/v1/calculate", json=quote_body(), headers=auth)
    assert response.status_code == 502
    assert sandbox.state.sandbox.requests["/v1/calculate"] == 1


async def test_an_unexpected_failure_is_500_in_the_error_shape(
    ozon: httpx.AsyncClient, auth: Headers, state: SandboxState, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(state, "calculate", broken)
    response = await ozon.post("/v1/calculate", json=quote_body(), headers=auth)
    assert response.status_code == 500
    assert response.json() == {
        "error_code": "INTERNAL",
        "message": "The sandbox failed unexpectedly",
        "details": {},
    }
    assert response.headers["X-Request-Id"]


async def test_control_calls_answer_bad_input_in_the_error_shape(ozon: httpx.AsyncClient) -> None:
    broken = await ozon.post(
        "/_sandbox/faults", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["details"] == {"body": ["must be a valid JSON document"]}
    wrong = await ozon.post("/_sandbox/faults", json={"status": 200, "latency_ms": -1})
    assert wrong.status_code == 400
    assert set(wrong.json()["details"]) == {"status", "latency_ms"}
