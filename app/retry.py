"""The project's one retry helper: full-jitter exponential backoff honouring Retry-After hints."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[object]]
Rng = Callable[[], float]


def backoff_delay(attempt: int, *, base: float, cap: float, rng: Rng = random.random) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): uniform in [0, ceiling].

    Full jitter (ceiling = min(cap, base * 2**(attempt-1))) spreads clients that failed
    together, so they do not come back together and fail again.
    """
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    # min() before the power would overflow on absurd attempt numbers; the exponent is bounded.
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 62))
    return ceiling * rng()


def retry_after_hint(exc: BaseException) -> float | None:
    """The wait an error asks for (its `retry_after` attribute, in seconds), if any."""
    hint = getattr(exc, "retry_after", None)
    if isinstance(hint, int | float) and not isinstance(hint, bool) and hint >= 0:
        return float(hint)
    return None


async def retry_call(
    call: Callable[[int], Awaitable[T]],
    *,
    retryable: Callable[[BaseException], bool],
    max_attempts: int,
    base: float = 0.2,
    cap: float = 5.0,
    sleep: Sleep = asyncio.sleep,
    rng: Rng = random.random,
    time_left: Callable[[], float] | None = None,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
) -> T:
    """Await `call(attempt)` until it succeeds, fails for good, or attempts run out.

    The wait is the error's Retry-After hint when it has one, else `backoff_delay`. When the
    wait would not end before `time_left()` runs out, the last error is raised at once: sleeping
    until the deadline only to be cancelled helps nobody. `on_retry(attempt, exc, delay)` is
    called before each sleep (for logging).
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    attempt = 1
    while True:
        try:
            return await call(attempt)
        except Exception as exc:
            if attempt >= max_attempts or not retryable(exc):
                raise
            hint = retry_after_hint(exc)
            delay = (
                hint if hint is not None else backoff_delay(attempt, base=base, cap=cap, rng=rng)
            )
            if time_left is not None and delay >= time_left():
                raise
            if on_retry is not None:
                on_retry(attempt, exc, delay)
            await sleep(delay)
            attempt += 1
