"""Prometheus metrics: one registry per app, labels bounded to route templates and endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# One query for the outbox: its partial index on pending rows and the few dead ones.
_OUTBOX_QUERY = text(
    """
    SELECT
      count(*) FILTER (WHERE state = 'pending' AND attempts = 0) AS pending,
      count(*) FILTER (WHERE state = 'pending' AND attempts > 0) AS failed,
      count(*) FILTER (WHERE state = 'dead') AS dead,
      extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'pending')) AS oldest
    FROM outbox
    WHERE state IN ('pending', 'dead')
    """
)
_PICKUP_SYNC_QUERY = text(
    "SELECT extract(epoch FROM now() - max(finished_at)) FROM pickup_point_syncs "
    "WHERE state = 'succeeded'"
)


@dataclass
class _Snapshot:
    """What the database said at this scrape; None: nothing to say (no sync has run yet)."""

    outbox: dict[str, int]
    oldest_pending_age: float
    pickup_sync_age: float | None


class _DatabaseCollector(Collector):
    """Exports the gauges read from the database by the /metrics handler just before rendering."""

    def __init__(self) -> None:
        self.snapshot: _Snapshot | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap = self.snapshot
        if snap is None:
            return
        depth = GaugeMetricFamily(
            "bridge_outbox_messages",
            "Outbox messages to Bitrix not yet delivered, by state",
            labels=["state"],
        )
        for state, count in snap.outbox.items():
            depth.add_metric([state], count)
        yield depth
        yield GaugeMetricFamily(
            "bridge_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending outbox message (0 when none is pending)",
            value=snap.oldest_pending_age,
        )
        yield GaugeMetricFamily(
            "bridge_outbox_dead_letters",
            "Outbox messages given up on (re-queue with POST /api/v1/outbox/{id}/retry)",
            value=snap.outbox.get("dead", 0),
        )
        if snap.pickup_sync_age is not None:
            yield GaugeMetricFamily(
                "bridge_pickup_point_sync_age_seconds",
                "Seconds since the last successful pickup-point sync",
                value=snap.pickup_sync_age,
            )


class Metrics:
    """The app's own registry; created by create_app, so several apps in one process never clash."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "bridge_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "bridge_http_request_duration_seconds",
            "HTTP request latency by method and route template",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.ozon_calls = Counter(
            "bridge_ozon_calls",
            "HTTP calls to Ozon Rocket by endpoint template and outcome",
            ["endpoint", "outcome"],
            registry=self.registry,
        )
        self.ozon_seconds = Histogram(
            "bridge_ozon_call_duration_seconds",
            "Ozon Rocket call latency by endpoint template",
            ["endpoint"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.webhook_rejections = Counter(
            "bridge_webhook_signature_failures",
            "Ozon webhooks refused with 401, by reason",
            ["reason"],
            registry=self.registry,
        )
        self._database = _DatabaseCollector()
        self.registry.register(self._database)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(method, route).observe(seconds)

    def observe_ozon_call(self, endpoint: str, outcome: str, seconds: float) -> None:
        self.ozon_calls.labels(endpoint, outcome).inc()
        self.ozon_seconds.labels(endpoint).observe(seconds)

    def webhook_rejected(self, reason: str) -> None:
        self.webhook_rejections.labels(reason).inc()

    async def render(self, engine: AsyncEngine) -> bytes:
        self._database.snapshot = await _read_snapshot(engine)
        return generate_latest(self.registry)


async def _read_snapshot(engine: AsyncEngine) -> _Snapshot:
    async with engine.connect() as conn:
        outbox = (await conn.execute(_OUTBOX_QUERY)).one()
        sync_age = await conn.scalar(_PICKUP_SYNC_QUERY)
    return _Snapshot(
        outbox={
            "pending": int(outbox.pending),
            "failed": int(outbox.failed),
            "dead": int(outbox.dead),
        },
        oldest_pending_age=float(outbox.oldest or 0),
        pickup_sync_age=None if sync_age is None else float(sync_age),
    )
