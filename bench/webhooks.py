"""Webhook intake: signed Ozon webhooks per second, each event committed, one server process.

The bridge runs as production starts it (`python -m app serve`, one uvicorn process,
RUN_WORKERS=false, LOG_LEVEL=INFO, JSON log lines to a file) against a throwaway database.
Every webhook refers to a real shipment and moves it forward, so each one goes through the
signature check, the event store, the state machine and an outbox row before its 200.
Bodies and signatures are made beforehand; bench/_replay.py sends each once from another
process, and the same generator against /healthz is the baseline and its own ceiling.

    .venv/bin/python bench/webhooks.py [--events 6000] [--connections 1,8,32]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

# `python bench/webhooks.py` puts bench/ on sys.path, not the checkout whose `app` it measures.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
import httpx
from _replay import http_request, write_requests
from _report import (
    SHIPMENT_COLUMNS,
    MachineCpu,
    asyncpg_params,
    machine,
    process_cpu_seconds,
    server_url,
    utc_now,
    write_section,
)
from _servers import (
    ROOT,
    Server,
    bridge_argv,
    cpu_plan,
    describe_database,
    free_port,
    fresh_database,
    pinned,
    start_server,
)

from app.crypto import new_fernet_key
from app.migrate import upgrade_to_head
from app.ozon.signature import sign

START, END = "<!-- webhooks:start -->", "<!-- webhooks:end -->"
TARGET_RATE = 800.0
TARGET_P99_MS = 50.0
# The signature's timestamp must be within ±300 s of the server's clock when it arrives.
SIGNATURE_TOLERANCE = 300.0

ADMIN_TOKEN = "bench-admin-token-" + uuid.uuid4().hex
DELIVERY_ID = 12
OZON_PARAMS = {
    "OZON_API_KEY": "sandbox-key-bench",
    "SELLER_ID": "seller-bench",
    "DEFAULT_WAREHOUSE_ID": "WH-1",
    "PARTIAL_ACCEPT": True,
}
# Forward moves from `created`, one wave per status: a shipment's next event is a whole wave
# later, so no event overtakes its predecessor on the way and every one is applied.
WAVES = ("in_transit", "arrived", "delivered")
PREVIOUS = {"in_transit": "created", "arrived": "in_transit", "delivered": "arrived"}
ITEMS = (("A-100", "Кружка", 2, Decimal("500.00")), ("B-200", "Чайник", 1, Decimal("3990.00")))


@dataclass(frozen=True)
class Options:
    events: int
    warmup_events: int
    connections: tuple[int, ...]
    write: bool
    database: str | None
    wrk_seconds: float


@dataclass(frozen=True)
class Run:
    """One replay: what bench/_replay.py reported, plus the server's CPU over it."""

    name: str
    result: dict[str, Any]
    server_cpu: float
    machine_busy: float

    @property
    def rate(self) -> float:
        return float(self.result["rate"])

    @property
    def p50(self) -> float:
        return float(self.result["p50_ms"])

    @property
    def p99(self) -> float:
        return float(self.result["p99_ms"])

    @property
    def answered_200(self) -> int:
        return int(self.result["statuses"].get("200", 0))

    @property
    def loadgen_cpu(self) -> float:
        return float(self.result["cpu_seconds"]) / float(self.result["seconds"])

    @property
    def server_cpu_share(self) -> float:
        return self.server_cpu / float(self.result["seconds"])

    @property
    def server_cpu_ms(self) -> float:
        """The server's CPU time per answered request."""
        return self.server_cpu * 1000 / max(1, int(self.result["answered"]))

    def line(self) -> str:
        r = self.result
        bad = {k: v for k, v in r["statuses"].items() if k != "200"}
        errors = f"  NON-200: {bad} {r['samples']}" if bad else ""
        if r["connection_errors"]:
            errors += f"  CONNECTION ERRORS: {r['connection_errors'][:3]}"
        return (
            f"{self.rate:7.0f}/s  p50 {self.p50:6.2f} ms  p99 {self.p99:6.2f} ms  "
            f"max {float(r['max_ms']):6.1f} ms  ({r['answered']}/{r['sent']} answered, "
            f"{self.answered_200} × 200)  server CPU {self.server_cpu_share:.0%} "
            f"({self.server_cpu_ms:.2f} ms a request), "
            f"load generator CPU {self.loadgen_cpu:.0%}, machine {self.machine_busy:.0%}"
            f"{errors}"
        )


@dataclass(frozen=True)
class Check:
    """What the database holds after the measured run: the proof that nothing was lost."""

    sent: int
    stored: int
    outcomes: dict[str, int]
    outbox: int
    history: int
    delivered: int
    shipments: int

    @property
    def lost(self) -> int:
        return self.sent - self.stored


# --- the shop and its shipments ---


def create_shop(bridge: Server, secret: str) -> str:
    """A shop with its webhook secret and a delivery service, made through the admin API."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=bridge.url, timeout=10) as client:
        shop = client.post(
            "/api/v1/shops",
            json={"name": "Webhook bench shop", "ozon_webhook_secrets": [secret]},
            headers=admin,
        )
        shop.raise_for_status()
        shop_id = str(shop.json()["id"])
        service = client.put(
            f"/api/v1/shops/{shop_id}/delivery-services/{DELIVERY_ID}",
            json={"params": OZON_PARAMS, "pricing": {}},
            headers=admin,
        )
        service.raise_for_status()
    return shop_id


def ozon_order_id(n: int) -> str:
    return f"RKT-B{n:07d}"


async def insert_shipments(database_url: str, shop_id: str, count: int) -> None:
    """`count` shipments already at Ozon (status created, OS pushed), two items each, by COPY.

    Rows as create_shipment leaves them; the API path would cost an Ozon round trip each and
    measure nothing this bench is about.
    """
    conn = await asyncpg.connect(**asyncpg_params(database_url))
    try:
        service_id = await conn.fetchval(
            "SELECT id FROM delivery_services WHERE shop_id = $1 AND bitrix_delivery_id = $2",
            uuid.UUID(shop_id),
            DELIVERY_ID,
        )
        now = datetime.now(UTC)
        shipments = []
        items = []
        for n in range(count):
            shipment_id = uuid.uuid4()
            order = 100_000 + n
            request = {"shop_id": shop_id, "bitrix_order_id": order, "delivery_type": "courier"}
            shipments.append(
                (
                    shipment_id,
                    uuid.UUID(shop_id),
                    service_id,
                    DELIVERY_ID,
                    order,
                    500_000 + n,
                    f"SHOP-{order}",
                    uuid.uuid4().hex + uuid.uuid4().hex,
                    json.dumps(request),
                    ozon_order_id(n),
                    f"OZR{n:09d}RU",
                    "created",
                    "OS",
                    "courier",
                    "prepaid",
                    True,
                    Decimal("4990.00"),
                    Decimal("5339.90"),
                    0,
                    now,
                )
            )
            for position, (sku, name, quantity, price) in enumerate(ITEMS):
                basket_id = order * 10 + position + 1
                items.append((shipment_id, position, basket_id, sku, name, quantity, price, price))
        await conn.copy_records_to_table(
            "shipments",
            records=shipments,
            columns=SHIPMENT_COLUMNS,
        )
        await conn.copy_records_to_table(
            "shipment_items",
            records=items,
            columns=[
                "shipment_id",
                "position",
                "bitrix_basket_item_id",
                "sku",
                "name",
                "quantity",
                "price",
                "declared_price",
            ],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


# --- the requests ---


def event_body(tag: str, n: int, status: str) -> bytes:
    event: dict[str, Any] = {
        "event_id": f"evt_{tag}_{status}_{n:07d}",
        "event_type": "order.status_changed",
        "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "order_id": ozon_order_id(n),
        "seller_order_number": f"SHOP-{100_000 + n}",
        "status": status,
        "previous_status": PREVIOUS[status],
        "tracking_number": f"OZR{n:09d}RU",
    }
    if status == "delivered":
        event["items"] = [
            {"sku": sku, "quantity": q, "accepted_quantity": q, "returned_quantity": 0}
            for sku, _, q, _ in ITEMS
        ]
        event["cod_collected"] = 0.0
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def signed_requests(
    port: int, shop_id: str, secret: str, tag: str, shipments: range, waves: Sequence[str]
) -> list[bytes]:
    """Every event of every wave, signed now (the file must be replayed within 300 s)."""
    path = f"/webhooks/ozon-rocket/{shop_id}"
    out = []
    for status in waves:
        for n in shipments:
            body = event_body(tag, n, status)
            signature = sign(secret, int(time.time()), body)
            out.append(
                http_request(
                    "POST", "127.0.0.1", port, path, body, [f"X-Ozon-Signature: {signature}"]
                )
            )
    return out


def healthz_requests(port: int, count: int) -> list[bytes]:
    return [http_request("GET", "127.0.0.1", port, "/healthz")] * count


# --- running the load ---


def replay(
    name: str, bridge: Server, requests: list[bytes], connections: int, cpu: int | None, tmp: Path
) -> Run:
    path = tmp / f"{name}.requests"
    write_requests(path, requests)
    argv = [
        sys.executable,
        str(ROOT / "bench" / "_replay.py"),
        f"--port={bridge.port}",
        f"--requests={path}",
        f"--connections={connections}",
    ]
    machine_before = MachineCpu.read()
    cpu_before = process_cpu_seconds(bridge.process.pid)
    # The argv is ours: bench/_replay.py with the bench's own arguments.
    done = subprocess.run(pinned(cpu, argv), capture_output=True, text=True, check=False)  # noqa: S603
    server_cpu = process_cpu_seconds(bridge.process.pid) - cpu_before
    busy = MachineCpu.read().busy_share_since(machine_before)
    if done.returncode != 0:
        raise RuntimeError(f"_replay.py failed:\n{done.stdout}\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # Replay started and sent the requests, so its own clock bounds the CPU window from above.
    return Run(name, result, server_cpu, busy)


def wrk_healthz(bridge: Server, connections: int, seconds: float, cpu: int | None) -> float | None:
    """The server's /healthz rate under wrk (C), if installed: a second opinion on the ceiling."""
    wrk = shutil.which("wrk")
    if wrk is None or seconds <= 0:
        return None
    argv = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", f"{bridge.url}/healthz"]
    done = subprocess.run(pinned(cpu, argv), capture_output=True, text=True, check=False)  # noqa: S603
    for line in done.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split(":", 1)[1])
    return None


async def check(database_url: str, shop_id: str, tag: str, sent: int, shipments: range) -> Check:
    conn = await asyncpg.connect(**asyncpg_params(database_url))
    shop = uuid.UUID(shop_id)
    try:
        rows = await conn.fetch(
            """SELECT outcome, count(*) AS n FROM webhook_events
               WHERE shop_id = $1 AND event_id LIKE $2 GROUP BY outcome""",
            shop,
            f"evt_{tag}_%",
        )
        outcomes = {str(r["outcome"]): int(r["n"]) for r in rows}
        ids = [ozon_order_id(n) for n in shipments]
        outbox = await conn.fetchval(
            """SELECT count(*) FROM outbox o JOIN shipments s ON s.id = o.shipment_id
               WHERE s.shop_id = $1 AND s.ozon_order_id = ANY($2::text[])
                 AND o.payload->>'ozon_status' = ANY($3::text[])""",
            shop,
            ids,
            list(WAVES),
        )
        history = await conn.fetchval(
            """SELECT count(*) FROM status_history h JOIN shipments s ON s.id = h.shipment_id
               WHERE s.shop_id = $1 AND h.source = 'webhook' AND h.event_id LIKE $2""",
            shop,
            f"evt_{tag}_%",
        )
        delivered = await conn.fetchval(
            """SELECT count(*) FROM shipments
               WHERE shop_id = $1 AND ozon_order_id = ANY($2::text[]) AND status = 'delivered'""",
            shop,
            ids,
        )
    finally:
        await conn.close()
    return Check(
        sent=sent,
        stored=sum(outcomes.values()),
        outcomes=outcomes,
        outbox=int(outbox),
        history=int(history),
        delivered=int(delivered),
        shipments=len(shipments),
    )


# --- the run ---


@dataclass(frozen=True)
class Level:
    """One concurrency: /healthz, then the webhooks, the same number of requests each."""

    connections: int
    health: Run
    hooks: Run
    check: Check

    @property
    def met(self) -> bool:
        return (
            self.hooks.rate >= TARGET_RATE
            and self.hooks.p99 < TARGET_P99_MS
            and self.check.lost == 0
            and self.hooks.answered_200 == self.check.sent
        )


def bridge_env(database_url: str, secret_key: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "SECRET_KEY": secret_key,
        # Never called: webhooks do not talk to Ozon.
        "OZON_BASE_URL": "http://127.0.0.1:9",
        "RUN_WORKERS": "false",
        "SANDBOX": "false",
        "LOG_LEVEL": "INFO",
        "LOG_JSON": "true",
    }


def background_load(seconds: float = 2.0) -> float:
    """How busy the machine is before the bench starts: others' work skews every figure."""
    before = MachineCpu.read()
    time.sleep(seconds)
    return MachineCpu.read().busy_share_since(before)


def run(opts: Options) -> None:
    info = {"date": utc_now(), "machine": machine()}
    # The server is not pinned: PostgreSQL shares this machine, and a server held to one CPU
    # fought PostgreSQL's backends for it while the other CPU idled (~15 % fewer webhooks/s).
    _, load_cpu = cpu_plan()
    server_cpu = None
    postgres = server_url(opts.database)
    per_level = opts.events // len(WAVES)
    measured = per_level * len(WAVES)
    warmup = opts.warmup_events
    idle = background_load()
    if load_cpu is not None:
        os.sched_setaffinity(0, {load_cpu})  # this process's setup work stays off the server CPU
    info |= {
        "server": f"`python -m app serve` (create_app, RUN_WORKERS=false): one uvicorn "
        f"{importlib.metadata.version('uvicorn')} process, uvloop + httptools, "
        "LOG_LEVEL=INFO, LOG_JSON=true, one JSON line per request to a log file",
        "load": "bench/_replay.py (Python, uvloop, raw HTTP/1.1, a separate process): each "
        "pre-signed request sent once over keep-alive connections, closed loop; "
        f"connections {', '.join(map(str, opts.connections))}",
        "pinning": (
            f"load generator on CPU {load_cpu}; the server and PostgreSQL unpinned"
            if load_cpu is not None
            else "none (fewer than 2 CPUs or no taskset)"
        ),
        "database": f"{describe_database(postgres)}, a fresh database, migrated, dropped after",
        "work": f"per concurrency, {measured} GET /healthz, then {measured} webhooks = "
        f"{per_level} fresh shipments x {len(WAVES)} waves ({' -> '.join(WAVES)}); "
        f"{warmup} warm-up webhooks first",
        "machine busy before the start": f"{idle:.0%} of all CPUs (other work on the box)",
    }
    print(f"webhook intake bench — {info['date']}")
    for key, value in info.items():
        print(f"  {key}: {value}")

    secret = "whsec_" + uuid.uuid4().hex
    levels: list[Level] = []
    wrk_rate: float | None = None
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = stack.enter_context(
            fresh_database(postgres, f"ozon_bridge_bench_webhooks_{os.getpid()}")
        )
        upgrade_to_head(database_url)
        port = free_port()
        bridge = start_server(
            "bridge",
            bridge_argv(port),
            port=port,
            log_dir=tmp,
            env=bridge_env(database_url, new_fernet_key()),
            cpu=server_cpu,
            ready_path="/readyz",
        )
        stack.callback(bridge.stop)
        shop_id = create_shop(bridge, secret)
        total = warmup + per_level * len(opts.connections)
        asyncio.run(insert_shipments(database_url, shop_id, total))
        print(f"\n{total} shipments inserted (status created); shop {shop_id}")

        warm = signed_requests(port, shop_id, secret, "warm", range(warmup), WAVES[:1])
        warm_run = replay("warmup", bridge, warm, max(opts.connections), load_cpu, tmp)
        print(f"warm-up webhooks: {warm_run.line()}")

        for index, connections in enumerate(opts.connections):
            print(f"\n{connections} connections")
            health = replay(
                f"healthz-{connections}",
                bridge,
                healthz_requests(port, measured),
                connections,
                load_cpu,
                tmp,
            )
            print(f"  GET /healthz     {health.line()}")
            first = warmup + index * per_level
            shipments = range(first, first + per_level)
            started = time.time()
            requests = signed_requests(port, shop_id, secret, f"c{connections}", shipments, WAVES)
            hooks = replay(f"webhooks-{connections}", bridge, requests, connections, load_cpu, tmp)
            if time.time() - started > SIGNATURE_TOLERANCE:
                print("  WARNING: the replay outlasted the signature tolerance; lower --events")
            print(f"  signed webhooks  {hooks.line()}")
            result = asyncio.run(
                check(database_url, shop_id, f"c{connections}", measured, shipments)
            )
            print(f"  {check_line(result)}")
            levels.append(Level(connections, health, hooks, result))
        wrk_rate = wrk_healthz(bridge, max(opts.connections), opts.wrk_seconds, load_cpu)
        if wrk_rate is not None:
            print(
                f"\nwrk (C) against /healthz, {max(opts.connections)} connections: {wrk_rate:.0f}/s"
            )
        bridge.stop()
        log_lines = sum(1 for _ in bridge.log_path.open("rb"))

    print("\n" + verdict(levels))
    section = render(info, opts, levels, wrk_rate, log_lines)
    if opts.write:
        write_section(START, END, section)
        print(f"written to {Path('bench/RESULTS.md')}")


def check_line(result: Check) -> str:
    return (
        f"read back: {result.stored}/{result.sent} events stored (lost {result.lost}), "
        f"outcomes {result.outcomes}, {result.history} status changes, {result.outbox} "
        f"outbox rows, {result.delivered}/{result.shipments} shipments delivered"
    )


def verdict(levels: Sequence[Level]) -> str:
    best = max(levels, key=lambda level: level.hooks.rate)
    lost = sum(level.check.lost for level in levels)
    not_200 = sum(level.check.sent - level.hooks.answered_200 for level in levels)
    met = [level.connections for level in levels if level.met]
    return (
        f"best: {best.hooks.rate:.0f} webhooks/s at {best.connections} connections "
        f"(p50 {best.hooks.p50:.1f} ms, p99 {best.hooks.p99:.1f} ms; /healthz "
        f"{best.health.rate:.0f}/s, ratio {best.hooks.rate / best.health.rate:.2f}); "
        f"lost {lost}, non-200 {not_200}. Target >= {TARGET_RATE:.0f}/s with p99 < "
        f"{TARGET_P99_MS:.0f} ms and none lost: "
        + (f"met at {met} connections" if met else "MISSED at every concurrency")
    )


def render(
    info: dict[str, str],
    opts: Options,
    levels: Sequence[Level],
    wrk_rate: float | None,
    log_lines: int,
) -> str:
    def row(label: str, connections: int, r: Run) -> str:
        return (
            f"| {label} | {connections} | {r.rate:.0f} | {r.p50:.2f} | "
            f"{float(r.result['p90_ms']):.2f} | {r.p99:.2f} | {float(r.result['max_ms']):.1f} | "
            f"{r.answered_200}/{r.result['sent']} | {r.server_cpu_share:.0%} | "
            f"{r.server_cpu_ms:.2f} | "
            f"{r.loadgen_cpu:.0%} | {r.machine_busy:.0%} |"
        )

    rows = []
    for level in levels:
        rows.append(row("GET /healthz (baseline)", level.connections, level.health))
        rows.append(row("signed webhook, committed", level.connections, level.hooks))
    checks = [f"- {level.connections} connections: {check_line(level.check)}" for level in levels]
    top = max(levels, key=lambda level: level.health.rate)
    wrk_line = (
        f"wrk (C, 1 thread, {max(opts.connections)} connections, {opts.wrk_seconds:g} s) "
        f"against the same /healthz: {wrk_rate:.0f}/s; the Python generator reached "
        f"{top.health.rate:.0f}/s there, using {top.health.loadgen_cpu:.0%} of its CPU."
        if wrk_rate is not None
        else "wrk not installed: no second opinion on the /healthz ceiling."
    )
    lines = [
        START,
        "## Webhook intake (`bench/webhooks.py`)",
        "",
        *(f"- {k}: {v}" for k, v in info.items()),
        "",
        "| load | connections | per s | p50 ms | p90 ms | p99 ms | max ms | 200s | "
        "server CPU | server CPU ms per request | load generator CPU | machine (all CPUs) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Load generator ceiling: {wrk_line}",
        "",
        "Committed, read back from the database after each run:",
        "",
        *checks,
        "",
        f"The server wrote {log_lines} JSON log lines (one per request).",
        "",
        f"Targets: >= {TARGET_RATE:.0f} events/s, p99 < {TARGET_P99_MS:.0f} ms, none lost.",
        "",
        verdict(levels),
        "",
        "Reproduce: `.venv/bin/python bench/webhooks.py` (DATABASE_URL, or "
        "`--database-url`, names the PostgreSQL server; default 127.0.0.1:5432).",
        END,
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=6_000, help="webhooks per concurrency")
    parser.add_argument("--warmup-events", type=int, default=1_000)
    parser.add_argument(
        "--connections", default="1,8,16,32", help="comma-separated concurrencies to run"
    )
    parser.add_argument("--wrk-seconds", type=float, default=5.0, help="0: skip the wrk check")
    parser.add_argument("--database-url", default=None, help="the PostgreSQL server to use")
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md")
    args = parser.parse_args(argv)
    return Options(
        events=args.events,
        warmup_events=args.warmup_events,
        connections=tuple(int(c) for c in args.connections.split(",")),
        write=not args.no_write,
        database=args.database_url,
        wrk_seconds=args.wrk_seconds,
    )


if __name__ == "__main__":
    run(parse_args())
