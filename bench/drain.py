"""Drain: status updates through the outbox to a Bitrix limited to 50 burst / 2 per second.

The Bitrix emulator serves one portal with Bitrix's default limit on a loopback port; the
shop's shipments and their pending status pushes are put into a throwaway database, the
emulator holds the matching orders, and ONE `python -m app worker` process (production
settings) drains the outbox. The figure that matters is the measured time against the least
time the limit itself allows for the requests the protocol needs:

    batches = ceil(updates * commands_per_update / 50)
    minimum = max(0, (batches - burst) / drain_per_second)   (a bucket that starts empty)

    .venv/bin/python bench/drain.py [--updates 10000] [--paths standard,module]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

# `python bench/drain.py` puts bench/ on sys.path, not the checkout whose `app` it measures.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
import httpx
import uvicorn
from _report import (
    SHIPMENT_COLUMNS,
    asyncpg_params,
    machine,
    server_url,
    utc_now,
    write_section,
)
from _servers import ROOT, describe_database, fresh_database
from fastapi import FastAPI

from app.bitrix.client import BitrixRestClient
from app.bitrix.status_setup import ensure_delivery_statuses
from app.config import Settings
from app.crypto import SecretBox, new_fernet_key
from app.db import create_engine, create_session_factory
from app.domain.statuses import DEFAULT_STATUS_DEFS, bitrix_target
from app.logging import configure_logging
from app.migrate import upgrade_to_head
from app.outbox.dispatcher import OutboxPolicy
from app.sandbox.bitrix.app import create_bitrix_sandbox
from app.sandbox.bitrix.config import BitrixSandboxConfig
from app.sandbox.bitrix.faults import FaultSpec
from app.sandbox.bitrix.portal import PortalOptions
from app.sandbox.bitrix.seed import BasketItemSeed, OrderSeed, PaymentSeed, ShipmentSeed
from app.sandbox.bitrix.state import BitrixSandbox, CallRecord
from app.shipments.lifecycle import STATUS_PUSH
from app.shops import schemas
from app.shops.service import BucketLimits, create_shop, put_delivery_service

START, END = "<!-- drain:start -->", "<!-- drain:end -->"
TARGET_RATIO = 1.15
BATCH_LIMIT = 50
DELIVERY_ID = 12
# A shipment's pushes in the order Ozon reports them; each shipment gets the first N.
STATUS_SEQUENCE = ("in_transit", "arrived", "delivered")
COMMANDS_PER_UPDATE = {"standard": 2, "module": 1}
UPDATE_METHOD = {"standard": "sale.shipment.update", "module": "ozonrocket.shipment.status"}


@dataclass(frozen=True)
class Options:
    updates: int
    per_shipment: int
    paths: tuple[str, ...]
    shops: int
    bitrix_latency: float
    worker_env: dict[str, str]
    database: str | None
    write: bool


@dataclass(frozen=True)
class Pace:
    """How the requests went out: Bitrix's time per batch and the steady send interval."""

    service_ms: tuple[float, float, float]  # the emulator's work per batch: median, p90, max
    interval_ms: float  # median gap between a shop's requests once past its burst

    @classmethod
    def of(cls, spans: Sequence[Sequence[tuple[float, float]]], burst: int) -> Pace:
        """`spans`: per portal, (request arrived, commands done) per batch, in arrival order."""
        service = sorted(done - arrived for portal in spans for arrived, done in portal)
        gaps = sorted(
            portal[k][0] - portal[k - 1][0]
            for portal in spans
            for k in range(burst + 1, len(portal))
        )
        return cls(
            service_ms=(
                _at(service, 0.5) * 1000,
                _at(service, 0.9) * 1000,
                _at(service, 1.0) * 1000,
            ),
            interval_ms=_at(gaps, 0.5) * 1000,
        )

    def line(self) -> str:
        median, p90, top = self.service_ms
        return (
            f"Bitrix's own work per batch {median:.0f} ms (p90 {p90:.0f}, max {top:.0f}); "
            f"past the burst a shop's requests went every {self.interval_ms:.0f} ms (median)"
        )


def _at(ordered: Sequence[float], share: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@dataclass(frozen=True)
class Drain:
    """One path drained: what was asked, what the emulator saw, what the database says."""

    path: str
    shops: int
    updates: int  # over all shops
    shipments: int
    burst: int
    drain_per_second: float
    client_burst: int
    client_rate: float
    bitrix_latency: float
    seconds: float  # first batch request -> last message recorded done
    wall_seconds: float  # worker process start -> all done seen
    requests: int
    refused: dict[str, int]
    commands: int
    done: int
    dead: int
    in_order: int
    batch_ms: tuple[float, float]  # the worker's own bitrix_call timings: mean, max
    pace: Pace

    @property
    def batches_needed(self) -> int:
        """Per shop: each shop's portal has a limit of its own, and they drain side by side."""
        per_shop = self.updates // self.shops
        return math.ceil(per_shop * COMMANDS_PER_UPDATE[self.path] / BATCH_LIMIT)

    @property
    def minimum(self) -> float:
        return max(0.0, (self.batches_needed - self.burst) / self.drain_per_second)

    @property
    def client_floor(self) -> float:
        """The least time the bridge's own bucket (just under Bitrix's) lets the batches go."""
        return max(0.0, (self.batches_needed - self.client_burst) / self.client_rate)

    @property
    def ratio(self) -> float:
        return self.seconds / self.minimum if self.minimum else math.inf

    @property
    def met(self) -> bool:
        return (
            (self.ratio <= TARGET_RATIO or not self.minimum)
            and self.done == self.updates
            and self.in_order == self.shipments
            and self.refused.get("QUERY_LIMIT_EXCEEDED", 0) == 0
        )


def batch_spans(calls: Sequence[CallRecord]) -> list[tuple[float, float]]:
    """(arrival, commands done) per batch request: the emulator logs a batch, then its
    commands."""
    spans: list[tuple[float, float]] = []
    for call in calls:
        if call.method.lower() == "batch":
            spans.append((call.at, call.at))
        elif spans and call.batch_key is not None:
            spans[-1] = (spans[-1][0], call.at)
    return spans


# --- the Bitrix emulator on a loopback port ---


@contextmanager
def served_bitrix(config: BitrixSandboxConfig) -> Iterator[tuple[FastAPI, str]]:
    """The emulator in a thread of this process (so its state can be read), on a free port."""
    sandbox = create_bitrix_sandbox(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(sandbox, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield sandbox, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


def seed_orders(state: BitrixSandbox, portal_id: int, first: int, count: int) -> None:
    """The orders the shipments belong to, each with one Ozon Rocket shipment, as a checkout
    leaves them."""
    for n in range(first, first + count):
        order = order_id(n)
        state.seed_order(
            portal_id,
            OrderSeed(
                id=order,
                basket=[
                    BasketItemSeed(
                        id=order * 10 + 1,
                        name="Кружка",
                        price=Decimal(500),
                        quantity=Decimal(2),
                        xml_id="A-100",
                    ),
                    BasketItemSeed(
                        id=order * 10 + 2, name="Чайник", price=Decimal(3990), xml_id="B-200"
                    ),
                ],
                shipments=[
                    ShipmentSeed(
                        id=shipment_id(n),
                        delivery_id=DELIVERY_ID,
                        price=Decimal("349.90"),
                        allow_delivery=True,
                        status_id="OS",
                    )
                ],
                payments=[PaymentSeed(id=order * 10, paid=True)],
            ),
        )


def order_id(n: int) -> int:
    return 1_000_000 + n


def shipment_id(n: int) -> int:
    return 5_000_000 + n


# --- the bridge's side: shop, shipments, outbox ---


async def make_shop(database_url: str, box: SecretBox, rest_url: str, *, module: bool) -> str:
    """A shop wired to the portal, with its delivery service, through the bridge's services."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            shop, _ = await create_shop(
                session,
                schemas.ShopCreate(
                    name=f"Drain bench ({'module' if module else 'standard'})",
                    bitrix_rest_url=rest_url,
                    bitrix_module=module,
                ),
                box,
                allow_local=True,
                # The production defaults, as a shop created through the API gets them.
                default_bucket=BucketLimits.from_settings(Settings()),
            )
            await put_delivery_service(
                session,
                shop,
                DELIVERY_ID,
                schemas.DeliveryServicePut(
                    params=schemas.DeliveryServiceParams(
                        OZON_API_KEY="sandbox-key-bench",
                        SELLER_ID="seller-bench",
                        DEFAULT_WAREHOUSE_ID="WH-1",
                        PARTIAL_ACCEPT=True,
                    )
                ),
                box,
            )
            return str(shop.id)
    finally:
        await engine.dispose()


def push_payload(n: int, status: str) -> dict[str, Any]:
    """What lifecycle.apply_status queues for this status (the default status map)."""
    target = bitrix_target(status, None)
    return {
        "bitrix_order_id": order_id(n),
        "bitrix_shipment_id": shipment_id(n),
        "bitrix_delivery_id": DELIVERY_ID,
        "ozon_status": status,
        "ozon_order_id": f"RKT-D{n:07d}",
        "status_id": target.shipment_status,
        "order_status_id": target.order_status,
        # The tracking number went with the first push (OS), before these.
        "tracking_number": None,
    }


async def queue_updates(
    database_url: str, shops: Sequence[tuple[str, int]], count: int, per_shipment: int
) -> None:
    """Per shop (id, first n): `count` shipments already at Ozon and `per_shipment` pending
    pushes each, interleaved by id the way concurrent webhooks leave them (a shipment's next
    push among other shipments' pushes, shops taking turns); by COPY and one multi-row insert,
    as the webhook path would take minutes."""
    conn = await asyncpg.connect(**asyncpg_params(database_url))
    now = datetime.now(UTC)
    statuses = STATUS_SEQUENCE[:per_shipment]
    try:
        queues: list[list[tuple[uuid.UUID, uuid.UUID, str, str]]] = []
        for shop_id, first in shops:
            shop = uuid.UUID(shop_id)
            service_id = await conn.fetchval(
                "SELECT id FROM delivery_services WHERE shop_id = $1 AND bitrix_delivery_id = $2",
                shop,
                DELIVERY_ID,
            )
            shipments = []
            pushes: list[tuple[uuid.UUID, uuid.UUID, str, str]] = []
            for n in range(first, first + count):
                sid = uuid.uuid4()
                shipments.append(_shipment_row(sid, shop, service_id, n, statuses[-1], now))
                pushes.extend(
                    (shop, sid, STATUS_PUSH, json.dumps(push_payload(n, status)))
                    for status in statuses
                )
            await conn.copy_records_to_table(
                "shipments", records=shipments, columns=SHIPMENT_COLUMNS
            )
            queues.append([pushes[i] for i in _interleaved(count, len(statuses))])
        # Shops take turns message by message, as their webhooks would arrive.
        rows = [row for turn in zip(*queues, strict=True) for row in turn]
        await conn.executemany(
            """INSERT INTO outbox (shop_id, shipment_id, kind, payload, state, attempts)
               VALUES ($1, $2, $3, $4::jsonb, 'pending', 0)""",
            rows,
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _shipment_row(
    sid: uuid.UUID, shop: uuid.UUID, service_id: uuid.UUID, n: int, status: str, now: datetime
) -> tuple[object, ...]:
    return (
        sid,
        shop,
        service_id,
        DELIVERY_ID,
        order_id(n),
        shipment_id(n),
        f"SHOP-{order_id(n)}",
        uuid.uuid4().hex + uuid.uuid4().hex,
        json.dumps({"bitrix_order_id": order_id(n)}),
        f"RKT-D{n:07d}",
        f"OZR{n:09d}RU",
        status,
        bitrix_target(status, None).shipment_status,
        "courier",
        "prepaid",
        True,
        Decimal("4990.00"),
        Decimal("5339.90"),
        0,
        now,
    )


def _interleaved(shipments: int, per_shipment: int) -> list[int]:
    """Indexes into the per-shipment list: each shipment's k-th push a window after its
    (k-1)-th, so a claim sees both blocked and free messages."""
    window = max(1, min(shipments, 100))
    order: list[int] = []
    for start in range(0, shipments, window):
        block = range(start, min(start + window, shipments))
        for k in range(per_shipment):
            order.extend(s * per_shipment + k for s in block)
    return order


async def outbox_states(database_url: str, shop_ids: Sequence[str]) -> dict[str, int]:
    conn = await asyncpg.connect(**asyncpg_params(database_url))
    try:
        rows = await conn.fetch(
            "SELECT state, count(*) AS n FROM outbox WHERE shop_id = ANY($1::uuid[]) "
            "GROUP BY state",
            [uuid.UUID(s) for s in shop_ids],
        )
        return {str(r["state"]): int(r["n"]) for r in rows}
    finally:
        await conn.close()


async def last_delivery(database_url: str, shop_ids: Sequence[str]) -> datetime:
    conn = await asyncpg.connect(**asyncpg_params(database_url))
    try:
        value: datetime = await conn.fetchval(
            "SELECT max(delivered_at) FROM outbox WHERE shop_id = ANY($1::uuid[])",
            [uuid.UUID(s) for s in shop_ids],
        )
        return value
    finally:
        await conn.close()


async def client_bucket(database_url: str, shop_id: str) -> tuple[int, float]:
    conn = await asyncpg.connect(**asyncpg_params(database_url))
    try:
        row = await conn.fetchrow(
            "SELECT bitrix_burst, bitrix_rate_per_second FROM shops WHERE id = $1",
            uuid.UUID(shop_id),
        )
        assert row is not None
        return int(row["bitrix_burst"]), float(row["bitrix_rate_per_second"])
    finally:
        await conn.close()


# --- one path ---


def start_worker(
    database_url: str, secret_key: str, log: Path, extra: dict[str, str]
) -> subprocess.Popen[bytes]:
    """`python -m app worker` with production settings, its JSON log (INFO) to a file."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "OZON_BASE_URL": "http://127.0.0.1:9",  # never called: no shipment is stale
        "LOG_LEVEL": "INFO",
        "LOG_JSON": "true",
        **extra,
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "app", "worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def batch_timings(log: Path) -> tuple[float, float]:
    """Mean and max of the worker's own `bitrix_call` durations for batches, in ms."""
    durations = []
    for line in log.read_text(errors="replace").splitlines():
        if '"bitrix_call"' not in line:
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("method") == "batch" and event.get("duration_ms") is not None:
            durations.append(float(event["duration_ms"]))
    if not durations:
        return 0.0, 0.0
    return sum(durations) / len(durations), max(durations)


def updates_in_order(state: BitrixSandbox, portal_id: int, path: str, per_shipment: int) -> int:
    """Shipments whose statuses Bitrix accepted exactly once each, in Ozon's order."""
    expected = [bitrix_target(s, None).shipment_status for s in STATUS_SEQUENCE[:per_shipment]]
    seen: dict[int, list[str]] = defaultdict(list)
    for call in state.calls(portal_id, method=UPDATE_METHOD[path], ok_only=True):
        params: dict[str, Any] = call.params
        if path == "standard":
            seen[int(params["id"])].append(str(params["fields"]["statusId"]))
        else:
            seen[int(params["shipmentId"])].append(str(params["statusId"]))
    return sum(1 for statuses in seen.values() if statuses == expected)


@dataclass(frozen=True)
class Wired:
    """One shop of the run and the portal it pushes to."""

    shop_id: str
    portal_id: int
    first: int


def wire_shops(
    opts: Options, path: str, state: BitrixSandbox, base: str, database_url: str, box: SecretBox
) -> tuple[list[Wired], PortalOptions]:
    """Per shop a portal with Bitrix's default limit, the delivery statuses, the orders."""
    module = path == "module"
    options = PortalOptions(module_installed=module)  # Bitrix's defaults: 50 burst, 2 per s
    per_shop = opts.updates // opts.per_shipment // opts.shops
    wired = []
    for index in range(opts.shops):
        info = state.create_portal(options)
        rest_url = base + info.webhook_path

        async def prepare(url: str) -> str:
            shop_id = await make_shop(database_url, box, url, module=module)
            async with httpx.AsyncClient() as http:
                report = await ensure_delivery_statuses(
                    BitrixRestClient(http), url, list(DEFAULT_STATUS_DEFS.values())
                )
            if report.failed:
                raise RuntimeError(f"delivery statuses not created: {report.failed}")
            return shop_id

        shop_id = asyncio.run(prepare(rest_url))
        # Every shop of every path gets ids of its own: one emulator serves them all.
        first = (opts.paths.index(path) * opts.shops + index) * per_shop
        # The orders, their shipments already in the status of the first push (OS).
        seed_orders(state, info.portal_id, first, per_shop)
        wired.append(Wired(shop_id, info.portal_id, first))
    return wired, options


def drain_path(
    opts: Options, path: str, sandbox: FastAPI, base: str, database_url: str, secret_key: str
) -> Drain:
    state: BitrixSandbox = sandbox.state.bitrix
    box = SecretBox.from_setting(secret_key)
    wired, options = wire_shops(opts, path, state, base, database_url, box)
    per_shop = opts.updates // opts.per_shipment // opts.shops
    shipments = per_shop * opts.shops
    updates = shipments * opts.per_shipment
    shop_ids = [w.shop_id for w in wired]
    asyncio.run(
        queue_updates(
            database_url, [(w.shop_id, w.first) for w in wired], per_shop, opts.per_shipment
        )
    )
    # The setup's own requests must have drained: the limit's minimum assumes empty buckets.
    for w in wired:
        portal = state.portal(w.portal_id)
        while portal.bucket.current_level(state.now()) > 0:
            time.sleep(0.1)
        if opts.bitrix_latency > 0:
            state.set_fault(
                w.portal_id,
                FaultSpec(mode="slow", methods=["batch"], hang_seconds=opts.bitrix_latency),
            )
    client_burst, client_rate = asyncio.run(client_bucket(database_url, wired[0].shop_id))
    batches = math.ceil(updates // opts.shops * COMMANDS_PER_UPDATE[path] / BATCH_LIMIT)
    minimum = max(0.0, (batches - options.burst) / options.drain_per_second)
    print(
        f"\n{path}: {updates} updates ({shipments} shipments x {opts.per_shipment}"
        f"{f', {opts.shops} shops' if opts.shops > 1 else ''}), {COMMANDS_PER_UPDATE[path]} "
        f"command(s) each -> {batches} batches{' per shop' if opts.shops > 1 else ''}; the "
        f"limit allows it in {minimum:.1f} s at best"
    )

    with tempfile.TemporaryDirectory(prefix="bench-drain-") as tmp:
        log = Path(tmp) / f"worker-{path}.log"
        before = {w.portal_id: len(state.calls(w.portal_id)) for w in wired}
        started = time.time()
        worker = start_worker(database_url, secret_key, log, opts.worker_env)
        deadline = started + max(120.0, minimum * 3 + 20 * opts.bitrix_latency * batches)
        next_report = started + 15
        try:
            while True:
                counts = asyncio.run(outbox_states(database_url, shop_ids))
                if counts.get("pending", 0) == 0:
                    break
                if worker.poll() is not None:
                    raise RuntimeError(f"the worker exited with {worker.returncode}")
                now = time.time()
                if now > deadline:
                    raise RuntimeError(f"not drained within {deadline - started:.0f} s: {counts}")
                if now >= next_report:
                    print(f"  {now - started:5.0f} s: {counts}")
                    next_report += 15
                time.sleep(0.2)
            wall = time.time() - started
        finally:
            stop_worker(worker)
        batch_ms = batch_timings(log)

    calls = {w.portal_id: state.calls(w.portal_id)[before[w.portal_id] :] for w in wired}
    batch_calls = [c for per in calls.values() for c in per if c.method.lower() == "batch"]
    refused = Counter(c.outcome for c in batch_calls if c.outcome != "ok")
    first_request = min(c.at for c in batch_calls)
    last_done = asyncio.run(last_delivery(database_url, shop_ids)).timestamp()
    spans = [batch_spans([c for c in per if c.outcome == "ok"]) for per in calls.values()]
    return Drain(
        path=path,
        shops=opts.shops,
        updates=updates,
        shipments=shipments,
        burst=options.burst,
        drain_per_second=options.drain_per_second,
        client_burst=client_burst,
        client_rate=client_rate,
        bitrix_latency=opts.bitrix_latency,
        seconds=last_done - first_request,
        wall_seconds=wall,
        requests=len(batch_calls),
        refused=dict(refused),
        commands=sum(1 for per in calls.values() for c in per if c.batch_key is not None),
        done=counts.get("done", 0),
        dead=counts.get("dead", 0),
        in_order=sum(updates_in_order(state, w.portal_id, path, opts.per_shipment) for w in wired),
        batch_ms=batch_ms,
        pace=Pace.of(spans, options.burst),
    )


# --- the run ---


def run(opts: Options) -> None:
    configure_logging("WARNING", json=False)  # the setup's own Bitrix calls need no log lines
    info = {"date": utc_now(), "machine": machine()}
    postgres = server_url(opts.database)
    settings = ", ".join(f"{k}={v}" for k, v in opts.worker_env.items()) or "none"
    policy = OutboxPolicy.from_settings(
        Settings.model_validate({k.lower(): v for k, v in opts.worker_env.items()})
    )
    latency = (
        f"; every batch answered {opts.bitrix_latency:g} s late (the emulator's `slow` fault, "
        "standing in for a real shop's own time)"
        if opts.bitrix_latency
        else ""
    )
    info |= {
        "Bitrix": "the emulator (app.sandbox.bitrix) served by uvicorn on a loopback port, in a "
        f"thread of the bench process; {opts.shops} portal(s) per path, PortalOptions() "
        f"defaults: burst 50, drain 2/s, a batch counts as one request{latency}",
        "bridge": "ONE `python -m app worker` process (outbox dispatcher + reconciler), "
        f"production settings, LOG_LEVEL=INFO JSON to a file; settings changed: {settings}; "
        f"dispatcher: claims of {policy.claim_size}, up to {policy.max_in_flight} batch "
        f"request(s) in flight per shop, bucket waits up to {policy.max_bucket_wait:g} s",
        "database": f"{describe_database(postgres)}, a fresh database, migrated, dropped after",
        "work": f"{opts.updates} status pushes per path over {opts.shops} shop(s), "
        f"{opts.per_shipment} per shipment (order per shipment kept by the claim), put into "
        "the outbox directly (COPY / INSERT), interleaved by id as webhooks leave them",
    }
    print(f"drain bench — {info['date']}")
    for key, value in info.items():
        print(f"  {key}: {value}")

    secret_key = new_fernet_key()
    results: list[Drain] = []
    calls_needed = 10 * opts.updates * len(opts.paths) + 10_000
    with (
        fresh_database(postgres, f"ozon_bridge_bench_drain_{os.getpid()}") as database_url,
        served_bitrix(BitrixSandboxConfig(call_log_limit=calls_needed)) as (sandbox, base),
    ):
        upgrade_to_head(database_url)
        for path in opts.paths:
            result = drain_path(opts, path, sandbox, base, database_url, secret_key)
            print(f"  {result_line(result)}")
            print(f"  {result.pace.line()}")
            results.append(result)

    print()
    for result in results:
        print(verdict(result))
    if opts.write:
        start, end = markers(opts)
        write_section(start, end, render(info, results, start, end))
        print(f"written to {Path('bench/RESULTS.md')}")


def result_line(r: Drain) -> str:
    refused = ", ".join(f"{n} x {code}" for code, n in r.refused.items()) or "none"
    return (
        f"measured {r.seconds:.1f} s (first request -> last update recorded; worker start -> "
        f"all done seen {r.wall_seconds:.1f} s), the limit's minimum {r.minimum:.1f} s, ratio "
        f"{_ratio(r)}; {r.requests} requests for {r.batches_needed * r.shops} batches needed "
        f"({r.commands} commands), refused: {refused}; done {r.done}/{r.updates}, dead "
        f"{r.dead}, shipments with every status once and in order {r.in_order}/{r.shipments}; "
        f"the bridge's own bucket ({r.client_burst} burst, {r.client_rate:g}/s) allows "
        f"{r.client_floor:.1f} s at best; the worker saw batch calls take {r.batch_ms[0]:.0f} ms "
        f"on average, {r.batch_ms[1]:.0f} ms at most"
    )


def verdict(r: Drain) -> str:
    return (
        f"{r.path}: {r.seconds:.1f} s vs the limit's {r.minimum:.1f} s = ratio {_ratio(r)} "
        f"(target <= {TARGET_RATIO}: {_target(r)}); "
        f"{r.requests} requests, {r.refused.get('QUERY_LIMIT_EXCEEDED', 0)} x 503 "
        f"QUERY_LIMIT_EXCEEDED; delivered {r.done}/{r.updates}, in order {r.in_order}/"
        f"{r.shipments} ({'all good' if r.met else 'NOT MET'})"
    )


def _target(r: Drain) -> str:
    if not r.minimum:
        return "n/a"
    return "met" if r.ratio <= TARGET_RATIO else "MISSED"


def _ratio(r: Drain) -> str:
    return f"{r.ratio:.3f}" if r.minimum else "n/a (all fits in the burst)"


def markers(opts: Options) -> tuple[str, str]:
    """The issue's run has the drain section; a variant (shops, latency) a section of its own."""
    variant = (f"-shops{opts.shops}" if opts.shops > 1 else "") + (
        f"-latency{opts.bitrix_latency:g}" if opts.bitrix_latency else ""
    )
    if not variant:
        return START, END
    return f"<!-- drain{variant}:start -->", f"<!-- drain{variant}:end -->"


def render(info: dict[str, str], results: Sequence[Drain], start: str, end: str) -> str:
    rows = [
        f"| {r.path} | {r.shops} | {r.updates} | {COMMANDS_PER_UPDATE[r.path]} | "
        f"{r.batches_needed * r.shops} | {r.minimum:.1f} | {r.client_floor:.1f} | "
        f"{r.seconds:.1f} | **{_ratio(r)}** | {r.requests} | "
        f"{r.refused.get('QUERY_LIMIT_EXCEEDED', 0)} | {r.done} | {r.in_order}/{r.shipments} |"
        for r in results
    ]
    title = "Outbox drain to Bitrix (`bench/drain.py`)"
    if start != START:
        title += f", variant `{start.removeprefix('<!-- drain-').removesuffix(':start -->')}`"
    lines = [
        start,
        f"## {title}",
        "",
        *(f"- {k}: {v}" for k, v in info.items()),
        "",
        "| path | shops | updates | commands each | batches needed | limit's minimum s | "
        "bridge bucket's floor s | measured s | ratio | requests | 503 QUERY_LIMIT_EXCEEDED | "
        "done | in order |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "batches needed = ceil(updates x commands / 50) (per shop: each portal has its own "
        "limit); the limit's minimum = (batches - 50) / 2 s for a bucket that starts empty; "
        "measured = the first batch request to the last update recorded done (the worker's "
        "start-up is not counted). The bridge bucket's floor is what the bridge's own "
        "client-side bucket (shop columns: 45 burst, 1.9/s, just under Bitrix's) allows at best.",
        "",
        *(f"- {r.path}: {r.pace.line()}." for r in results),
        "",
        *(verdict(r) for r in results),
        "",
        "Reproduce: `.venv/bin/python bench/drain.py` (`--updates N` for a shorter run, "
        "`--paths standard,module` for both, `--shops N`, `--bitrix-latency S`; DATABASE_URL "
        "or `--database-url` names the PostgreSQL server, default 127.0.0.1:5432).",
        end,
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument(
        "--per-shipment", type=int, default=2, choices=range(1, len(STATUS_SEQUENCE) + 1)
    )
    parser.add_argument("--paths", default="standard", help="standard, module, or both")
    parser.add_argument("--shops", type=int, default=1, help="shops (portals) sharing the run")
    parser.add_argument(
        "--bitrix-latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="answer every batch this much later (a real shop's own time); default none",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the worker, e.g. OUTBOX_CLAIM_SIZE=400 (default: production's)",
    )
    parser.add_argument("--database-url", default=None, help="the PostgreSQL server to use")
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md")
    args = parser.parse_args(argv)
    paths = tuple(p.strip() for p in args.paths.split(","))
    for path in paths:
        if path not in COMMANDS_PER_UPDATE:
            parser.error(f"unknown path {path!r}")
    return Options(
        updates=args.updates,
        per_shipment=args.per_shipment,
        paths=paths,
        shops=args.shops,
        bitrix_latency=args.bitrix_latency,
        worker_env=dict(item.split("=", 1) for item in args.set),
        database=args.database_url,
        write=not args.no_write,
    )


if __name__ == "__main__":
    run(parse_args())
