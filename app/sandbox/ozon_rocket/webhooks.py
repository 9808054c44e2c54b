"""Signed status-change webhooks, delivered at least once with retries, and their delivery log."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from app.ozon.signature import signature_header
from app.sandbox.ozon_rocket.clock import SandboxClock
from app.sandbox.ozon_rocket.config import SandboxConfig
from app.sandbox.ozon_rocket.wire import Json, format_time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str
    secrets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    status_code: int | None
    error: str | None = None


@dataclass(slots=True)
class Event:
    event_id: str
    seller_id: str
    order_id: str
    status: str
    body: bytes  # signed and sent byte for byte the same on every attempt
    attempts: list[Attempt] = field(default_factory=list)
    delivered: bool = False

    def view(self) -> dict[str, Json]:
        return {
            "event_id": self.event_id,
            "seller_id": self.seller_id,
            "order_id": self.order_id,
            "status": self.status,
            "delivered": self.delivered,
            "attempts": [
                {"at": format_time(a.at), "status_code": a.status_code, "error": a.error}
                for a in self.attempts
            ],
        }


class WebhookDispatcher:
    """Keeps each seller's endpoint, mints events and pushes them in background tasks."""

    def __init__(self, config: SandboxConfig, clock: SandboxClock) -> None:
        self._config = config
        self._clock = clock
        self._rng = random.Random(f"{config.seed}:events")
        self._client = config.webhook_client
        self._owns_client = config.webhook_client is None
        self._transport = config.webhook_transport
        self.endpoints: dict[str, Endpoint] = {}
        self.events: dict[str, Event] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def register(self, seller_id: str, url: str, secrets: list[str]) -> Endpoint:
        endpoint = Endpoint(url, tuple(secrets))
        self.endpoints[seller_id] = endpoint
        return endpoint

    def unregister(self, seller_id: str) -> bool:
        return self.endpoints.pop(seller_id, None) is not None

    def new_event_id(self) -> str:
        while True:
            event_id = "evt_" + "".join(self._rng.choices(_CROCKFORD, k=12))
            if event_id not in self.events:
                return event_id

    def publish(self, event: Event) -> asyncio.Task[None] | None:
        """Record the event and start delivering it if the seller has an endpoint."""
        self.events[event.event_id] = event
        return self.deliver(event)

    def deliver(self, event: Event) -> asyncio.Task[None] | None:
        """(Re)send an event in the background; None when the seller has no endpoint."""
        if event.seller_id not in self.endpoints:
            return None
        task = asyncio.get_running_loop().create_task(self._deliver(event))
        self._tasks[event.event_id] = task
        task.add_done_callback(lambda done: self._forget(event.event_id, done))
        return task

    def _forget(self, event_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(event_id) is task:
            del self._tasks[event_id]

    async def _deliver(self, event: Event) -> None:
        delays = self._config.webhook_retry_delays
        for attempt_number in range(len(delays) + 1):
            if attempt_number:
                await asyncio.sleep(delays[attempt_number - 1])
            # Looked up per attempt: a secret rotated meanwhile signs the retry.
            endpoint = self.endpoints.get(event.seller_id)
            if endpoint is None:
                return
            if await self._attempt(event, endpoint):
                event.delivered = True
                return

    async def _attempt(self, event: Event, endpoint: Endpoint) -> bool:
        now = self._clock.now()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "OzonRocket-Webhooks/1.0 (sandbox)",
            "X-Ozon-Signature": signature_header(
                endpoint.secrets, int(now.timestamp()), event.body
            ),
        }
        try:
            response = await self._http().post(
                endpoint.url,
                content=event.body,
                headers=headers,
                timeout=self._config.webhook_timeout_seconds,
            )
        except httpx.HTTPError as exc:
            event.attempts.append(Attempt(now, None, type(exc).__name__))
            return False
        event.attempts.append(Attempt(now, response.status_code))
        return response.is_success

    def _http(self) -> httpx.AsyncClient:
        # Built on first use: tests reach the emulator over ASGI, where no lifespan runs.
        if self._client is None:
            self._client = httpx.AsyncClient(transport=self._transport)
        return self._client

    async def use_transport(self, transport: httpx.AsyncBaseTransport) -> None:
        """Send later deliveries through this transport, e.g. ASGI into an app built after us."""
        if self._owns_client and self._client is not None:
            await self._client.aclose()
        self._client = None
        self._owns_client = True
        self._transport = transport

    async def wait(self, event_id: str) -> None:
        """Until the event's current delivery run is over (delivered or out of attempts)."""
        task = self._tasks.get(event_id)
        if task is not None:
            await asyncio.shield(task)

    async def _cancel_pending(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    async def reset(self) -> None:
        """Forget endpoints and events (pending deliveries stop); the HTTP client stays."""
        await self._cancel_pending()
        self.endpoints.clear()
        self.events.clear()
        self._rng = random.Random(f"{self._config.seed}:events")

    async def aclose(self) -> None:
        await self._cancel_pending()
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
