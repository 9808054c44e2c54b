"""Token exchange, bearer checks, expiry, revocation and the key-to-seller binding."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from app.sandbox.ozon_rocket import SandboxClock, SandboxConfig, SandboxState
from app.sandbox.ozon_rocket import create_ozon_rocket_sandbox as create_sandbox
from tests.sandbox.conftest import BASE_URL, bearer, quote_body


async def test_token_exchange_returns_a_bearer_token_with_its_lifetime(
    ozon: httpx.AsyncClient,
) -> None:
    response = await ozon.post("/v1/auth/token", json={"api_key": "k-1", "seller_id": "s-1"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].startswith("eyJ")
    assert response.headers["X-Request-Id"]


async def test_token_lifetime_is_configurable(clock: SandboxClock) -> None:
    app = create_sandbox(SandboxConfig(clock=clock, token_ttl_seconds=60, pickup_point_count=10))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        response = await c.post("/v1/auth/token", json={"api_key": "k", "seller_id": "s"})
    assert response.json()["expires_in"] == 60


@pytest.mark.parametrize("api_key", ["invalid", "invalid-key-123", "blocked-key"])
async def test_rejected_keys_get_invalid_api_key(clock: SandboxClock, api_key: str) -> None:
    config = SandboxConfig(
        clock=clock, rejected_api_keys=frozenset({"blocked-key"}), pickup_point_count=10
    )
    app = create_sandbox(config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        response = await c.post("/v1/auth/token", json={"api_key": api_key, "seller_id": "s"})
    assert response.status_code == 401
    assert response.json()["error_code"] == "INVALID_API_KEY"
    assert set(response.json()) >= {"error_code", "message", "details"}


async def test_empty_api_key_is_a_validation_error(ozon: httpx.AsyncClient) -> None:
    response = await ozon.post("/v1/auth/token", json={"api_key": "", "seller_id": "s"})
    assert response.status_code == 400
    assert response.json()["details"] == {"api_key": ["must not be empty"]}


@pytest.mark.parametrize(
    ("authorization", "error_code"),
    [
        (None, "UNAUTHORIZED"),
        ("Basic a2V5OnNlY3JldA==", "UNAUTHORIZED"),
        ("Bearer ", "UNAUTHORIZED"),
        ("Bearer not-a-token", "INVALID_TOKEN"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged", "INVALID_TOKEN"),
    ],
)
async def test_missing_or_garbage_bearer_is_401(
    ozon: httpx.AsyncClient, authorization: str | None, error_code: str
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await ozon.post("/v1/calculate", json=quote_body(), headers=headers)
    assert response.status_code == 401
    assert response.json()["error_code"] == error_code
    assert response.headers["X-Request-Id"]


async def test_expired_token_is_token_expired_and_a_new_one_works(
    ozon: httpx.AsyncClient, clock: SandboxClock
) -> None:
    headers = await bearer(ozon)
    assert (await ozon.post("/v1/calculate", json=quote_body(), headers=headers)).status_code == 200
    clock.advance(3600)
    expired = await ozon.post("/v1/calculate", json=quote_body(), headers=headers)
    assert expired.status_code == 401
    assert expired.json()["error_code"] == "TOKEN_EXPIRED"
    fresh = await bearer(ozon)
    assert (await ozon.post("/v1/calculate", json=quote_body(), headers=fresh)).status_code == 200


async def test_revoking_a_key_expires_all_its_tokens_and_only_its(
    ozon: httpx.AsyncClient,
) -> None:
    first = await bearer(ozon, "key-a", "seller-a")
    second = await bearer(ozon, "key-a", "seller-a")
    other = await bearer(ozon, "key-b", "seller-b")
    revoked = await ozon.post("/_sandbox/tokens/revoke", json={"api_key": "key-a"})
    assert revoked.json() == {"revoked": 2}
    for headers in (first, second):
        response = await ozon.get("/v1/pickup-points", params={"limit": 1}, headers=headers)
        assert response.status_code == 401
        assert response.json()["error_code"] == "TOKEN_EXPIRED"
    response = await ozon.get("/v1/pickup-points", params={"limit": 1}, headers=other)
    assert response.status_code == 200


async def test_clock_control_expires_tokens_over_http(ozon: httpx.AsyncClient) -> None:
    headers = await bearer(ozon)
    moved = await ozon.post("/_sandbox/clock", json={"advance_seconds": 7200})
    assert moved.json()["now"].startswith("2025-12-03T15:00:00")  # 12:00 UTC in Moscow time
    response = await ozon.post("/v1/calculate", json=quote_body(), headers=headers)
    assert response.json()["error_code"] == "TOKEN_EXPIRED"


async def test_token_issuances_are_counted_per_key(
    ozon: httpx.AsyncClient, state: SandboxState
) -> None:
    for _ in range(3):
        await bearer(ozon, "key-counted-0001", "seller-1")
    await bearer(ozon, "key-other-0002", "seller-2")
    assert state.token_issuances == 4
    assert state.tokens.issued["key-counted-0001"] == 3
    stats = (await ozon.get("/_sandbox/stats")).json()
    assert stats["token_issuances"] == 4
    assert stats["token_issuances_by_key"] == {"****0001": 3, "****0002": 1}


async def test_a_key_belongs_to_the_first_seller_it_was_used_with(ozon: httpx.AsyncClient) -> None:
    await bearer(ozon, "key-1", "seller-1")
    response = await ozon.post("/v1/auth/token", json={"api_key": "key-1", "seller_id": "seller-2"})
    assert response.status_code == 403
    assert response.json()["error_code"] == "FORBIDDEN"


async def test_key_binding_can_be_switched_off(clock: SandboxClock) -> None:
    app = create_sandbox(
        SandboxConfig(clock=clock, bind_api_keys_to_sellers=False, pickup_point_count=10)
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        await bearer(c, "key-1", "seller-1")
        await bearer(c, "key-1", "seller-2")


async def test_a_key_without_rights_gets_403_on_calls(ozon: httpx.AsyncClient) -> None:
    headers = await bearer(ozon, "forbidden-key", "seller-1")
    response = await ozon.post("/v1/calculate", json=quote_body(), headers=headers)
    assert response.status_code == 403
    assert response.json()["error_code"] == "FORBIDDEN"


async def test_a_token_from_before_a_reset_reads_as_expired(
    ozon: httpx.AsyncClient, sandbox: FastAPI
) -> None:
    headers = await bearer(ozon)
    assert (await ozon.post("/_sandbox/reset")).status_code == 200
    response = await ozon.post("/v1/calculate", json=quote_body(), headers=headers)
    assert response.json()["error_code"] == "TOKEN_EXPIRED"
    assert sandbox.state.sandbox.token_issuances == 0
