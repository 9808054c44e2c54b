"""The token cache: one fetch per credentials for any number of waiters, failures shared too."""

from __future__ import annotations

import asyncio

import pytest

from app.domain.carrier import CarrierAuthError, CarrierCredentials
from app.ozon.tokens import AccessToken, TokenCache

CREDS = CarrierCredentials(api_key="key-one-123456", seller_id="S-1")
OTHER = CarrierCredentials(api_key="key-two-123456", seller_id="S-1")


async def test_a_failed_fetch_fails_every_waiter_once_then_is_tried_again() -> None:
    fetched: list[CarrierCredentials] = []

    async def fetch(creds: CarrierCredentials) -> AccessToken:
        fetched.append(creds)
        await asyncio.sleep(0.01)
        if len(fetched) == 1:
            raise CarrierAuthError("bad key", error_code="INVALID_API_KEY")
        return AccessToken("tok", 3600)

    cache = TokenCache(fetch)
    results = await asyncio.gather(*(cache.get(CREDS) for _ in range(10)), return_exceptions=True)

    assert all(isinstance(r, CarrierAuthError) for r in results)
    assert await cache.get(CREDS) == "tok"
    assert len(fetched) == 2


async def test_each_credentials_pair_has_its_own_token() -> None:
    async def fetch(creds: CarrierCredentials) -> AccessToken:
        return AccessToken(f"tok-{creds.api_key}", 3600)

    cache = TokenCache(fetch)

    assert await cache.get(CREDS) == "tok-key-one-123456"
    assert await cache.get(OTHER) == "tok-key-two-123456"


async def test_invalidating_a_stale_token_keeps_the_newer_one() -> None:
    issued = iter(["tok-1", "tok-2", "tok-3"])

    async def fetch(creds: CarrierCredentials) -> AccessToken:
        return AccessToken(next(issued), 3600)

    cache = TokenCache(fetch)
    first = await cache.get(CREDS)
    cache.invalidate(CREDS, first)
    second = await cache.get(CREDS)
    cache.invalidate(CREDS, first)  # a late caller reporting the old token

    assert (first, second) == ("tok-1", "tok-2")
    assert await cache.get(CREDS) == "tok-2"


def test_tokens_do_not_show_in_reprs() -> None:
    assert "secret" not in repr(AccessToken("secret-token", 60))


@pytest.mark.parametrize(("expires_in", "refetch_after"), [(3600, 3540.0), (100, 90.0)])
async def test_tokens_are_refreshed_a_margin_before_expiry(
    expires_in: int, refetch_after: float
) -> None:
    now = [0.0]
    count = [0]

    async def fetch(creds: CarrierCredentials) -> AccessToken:
        count[0] += 1
        return AccessToken(f"tok-{count[0]}", expires_in)

    cache = TokenCache(fetch, clock=lambda: now[0])
    await cache.get(CREDS)
    now[0] = refetch_after - 0.001
    assert await cache.get(CREDS) == "tok-1"
    now[0] = refetch_after
    assert await cache.get(CREDS) == "tok-2"
