"""How one sandbox instance behaves: seed, token lifetime, limits, webhook delivery, timers."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from app.sandbox.ozon_rocket.clock import SandboxClock

DEFAULT_SEED = 20251203


@dataclass(frozen=True)
class SandboxConfig:
    # One seed drives the pickup network, order ids, tracking numbers and event ids.
    seed: int = DEFAULT_SEED
    token_ttl_seconds: int = 3600
    # Keys answered 401 INVALID_API_KEY (besides any key starting with "invalid").
    rejected_api_keys: frozenset[str] = frozenset()
    # Keys that get a token but 403 FORBIDDEN on every call (besides keys starting "forbidden").
    forbidden_api_keys: frozenset[str] = frozenset()
    # A real key belongs to one seller: the first seller_id a key is used with owns it (403 else).
    bind_api_keys_to_sellers: bool = True
    # Requests per second per API key; None switches the limit off.
    rate_limit_per_second: int | None = 20
    pickup_point_count: int = 7200
    # Webhooks go through this client if given (not closed by the sandbox), else through a client
    # the sandbox builds on `webhook_transport` (e.g. httpx.ASGITransport to a test receiver).
    webhook_client: httpx.AsyncClient | None = None
    webhook_transport: httpx.AsyncBaseTransport | None = None
    # Pauses between delivery attempts; attempts = len + 1. Tests pass zeros.
    webhook_retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0)
    webhook_timeout_seconds: float = 5.0
    # Demo mode: orders walk created -> in_transit -> arrived -> delivered, one step per period.
    auto_advance_seconds: float | None = None
    # A `hang` fault is released by DELETE /_sandbox/faults, or after this long at the latest.
    hang_limit_seconds: float = 60.0
    clock: SandboxClock = field(default_factory=SandboxClock)
