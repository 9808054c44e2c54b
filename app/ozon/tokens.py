"""Bearer tokens per (api_key, seller_id): cached until just before expiry, fetched once for all."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from app.domain.carrier import CarrierCredentials


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_in: float


@dataclass(frozen=True)
class _Cached:
    value: str = field(repr=False)
    expires_at: float


class TokenCache:
    """Hands out a valid token per credentials; concurrent misses share one fetch."""

    def __init__(
        self,
        fetch: Callable[[CarrierCredentials], Awaitable[AccessToken]],
        *,
        clock: Callable[[], float] = time.monotonic,
        early_refresh: float = 60.0,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._early_refresh = early_refresh
        self._tokens: dict[CarrierCredentials, _Cached] = {}
        self._inflight: dict[CarrierCredentials, asyncio.Task[_Cached]] = {}

    async def get(self, creds: CarrierCredentials) -> str:
        cached = self._tokens.get(creds)
        if cached is not None and self._clock() < cached.expires_at:
            return cached.value
        task = self._inflight.get(creds)
        if task is None:
            # A task, not a lock: every waiter gets the one outcome, a failure included, instead
            # of queueing up to repeat a fetch that just failed.
            task = asyncio.create_task(self._refresh(creds))
            self._inflight[creds] = task
            task.add_done_callback(partial(self._settled, creds))
        # shield: a caller giving up (its deadline) must not cancel the fetch others await.
        return (await asyncio.shield(task)).value

    def invalidate(self, creds: CarrierCredentials, token: str) -> None:
        """Forget `token` after the carrier rejected it, unless a newer one already replaced it."""
        cached = self._tokens.get(creds)
        if cached is not None and cached.value == token:
            del self._tokens[creds]

    async def _refresh(self, creds: CarrierCredentials) -> _Cached:
        issued_at = self._clock()
        token = await self._fetch(creds)
        margin = min(self._early_refresh, token.expires_in / 10)
        cached = _Cached(token.value, issued_at + token.expires_in - margin)
        self._tokens[creds] = cached
        return cached

    def _settled(self, creds: CarrierCredentials, task: asyncio.Task[_Cached]) -> None:
        if self._inflight.get(creds) is task:
            del self._inflight[creds]
        if not task.cancelled():
            # Mark the error retrieved: when every waiter gave up, asyncio would warn about it.
            task.exception()
