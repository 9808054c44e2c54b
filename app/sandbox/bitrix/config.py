"""Settings of one Bitrix sandbox instance (the per-shop behaviour lives in PortalOptions)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.sandbox.bitrix.clock import Clock, system_clock


@dataclass(frozen=True)
class BitrixSandboxConfig:
    # Drives the leaky bucket, fault periods, the operating limit and every date the API shows.
    clock: Clock = system_clock
    # How a hanging portal waits; tests may pass a faster sleep.
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    page_size: int = 50
    # The oldest calls are dropped beyond this, so a long demo does not grow without bound.
    call_log_limit: int = 10_000
    # Create the demo shop (module installed, the contract's example order) at start-up.
    seed_demo: bool = False
