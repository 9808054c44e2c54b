"""A TTL cache of calculate answers in which identical concurrent requests share one call."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache

T = TypeVar("T")


class SharedTTLCache(Generic[T]):
    """get_or_load(key, loader): a fresh cached value, or the result of one shared load.

    Callers waiting on the same load each keep their own deadline: one caller timing out
    does not cancel the load for the others (asyncio.shield).
    """

    def __init__(self, *, ttl: float, maxsize: int, timer: Callable[[], float] = time.monotonic):
        self._values: TTLCache[Hashable, T] = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self._inflight: dict[Hashable, asyncio.Task[T]] = {}

    def get(self, key: Hashable) -> T | None:
        return self._values.get(key)

    async def get_or_load(
        self, key: Hashable, loader: Callable[[], Awaitable[T]]
    ) -> tuple[T, bool]:
        """Return (value, came_from_cache)."""
        cached = self._values.get(key)
        if cached is not None:
            return cached, True
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load(key, loader))
            task.add_done_callback(_consume_exception)
            self._inflight[key] = task
        return await asyncio.shield(task), False

    async def _load(self, key: Hashable, loader: Callable[[], Awaitable[T]]) -> T:
        try:
            value = await loader()
            self._values[key] = value
            return value
        finally:
            self._inflight.pop(key, None)

    def clear(self) -> None:
        self._values.clear()


def _consume_exception(task: asyncio.Task[object]) -> None:
    # Every waiter may have given up on its deadline; the failure is still logged by the loader.
    if not task.cancelled():
        task.exception()
