"""Calculate's speed against baselines measured in the same run; figures to bench/RESULTS.md.

Warm: the bridge answering from its quote cache vs a bare FastAPI endpoint that validates the
same body and returns a constant, both served like production (one uvicorn worker); rounds
alternate between the servers so that whatever else the machine is doing hits both alike.
Cold: a cache miss through the bridge vs the same Ozon call made straight to the sandbox.

`make bench`; DATABASE_URL unset means the embedded PostgreSQL, as for the app.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

# `python bench/calculate.py` puts bench/ on sys.path, not the checkout whose `app` it measures.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from _servers import (
    ROOT,
    Server,
    bridge_argv,
    cpu_plan,
    cpu_seconds,
    describe_database,
    free_port,
    fresh_database,
    pinned,
    serve_argv,
    start_server,
)

from app.crypto import new_fernet_key
from app.devdb import resolve_database_url
from app.domain.carrier import Address, Package, QuoteRequest
from app.migrate import upgrade_to_head
from app.ozon import wire

RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- calculate:start -->", "<!-- calculate:end -->"
TARGET_WARM_RATIO = 0.7
TARGET_COLD_ADDED_P50_MS = 2.0

ADMIN_TOKEN = "bench-admin-token-" + uuid.uuid4().hex
DELIVERY_ID = 12
OZON_PARAMS = {
    "OZON_API_KEY": "sandbox-key-bench",
    "SELLER_ID": "seller-bench",
    "DEFAULT_WAREHOUSE_ID": "WH-1",
    "PARTIAL_ACCEPT": True,
}
ADDRESS = {"city": "Москва", "street": "Тверская", "house": "7"}
PACKAGE = {"weight": 1200, "length": 300, "width": 200, "height": 100}
WARM_DECLARED_VALUE = Decimal("4990.00")
COLD_WARMUP = 20


@dataclass(frozen=True)
class Options:
    duration: float
    rounds: int
    warmup: float
    connections: int
    cold_requests: int
    log_levels: tuple[str, ...]
    tool: str
    write: bool


# --- figures ---


@dataclass(frozen=True)
class Load:
    """One load-generator run against one server."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_seconds: float | None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us(self) -> float | None:
        """Server CPU time per request: unlike requests/s, other processes barely move it."""
        if self.server_cpu_seconds is None or not self.requests:
            return None
        return self.server_cpu_seconds / self.requests * 1e6


@dataclass(frozen=True)
class Warm:
    """The rounds of one server; each figure is the median over the rounds."""

    runs: tuple[Load, ...]

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)

    @property
    def cpu_us(self) -> float | None:
        values = [r.cpu_us for r in self.runs]
        return statistics.median(v for v in values if v is not None) if None not in values else None

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.runs)

    def ratio(self, baseline: Warm) -> float:
        """Median over rounds of requests/s against the baseline's in the same round."""
        return statistics.median(
            mine.rps / theirs.rps for mine, theirs in zip(self.runs, baseline.runs, strict=True)
        )

    def cpu_ratio(self, baseline: Warm) -> float | None:
        """Baseline CPU per request over ours: the ratio with the machine's noise taken out."""
        mine, theirs = self.cpu_us, baseline.cpu_us
        return theirs / mine if mine and theirs else None


@dataclass(frozen=True)
class Series:
    """Latencies of sequential requests, milliseconds."""

    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Series:
        cuts = statistics.quantiles(seconds, n=100, method="inclusive")
        return cls(p50_ms=cuts[49] * 1000, p99_ms=cuts[98] * 1000)


@dataclass(frozen=True)
class Cold:
    bridge: Series
    direct: Series

    @property
    def added_p50_ms(self) -> float:
        return self.bridge.p50_ms - self.direct.p50_ms

    @property
    def added_p99_ms(self) -> float:
        return self.bridge.p99_ms - self.direct.p99_ms


@dataclass(frozen=True)
class BridgeResult:
    log_level: str
    warm: Warm
    cold: Cold  # client, bridge and sandbox on one CPU
    cold_apart: Cold | None = None  # the bridge on a CPU of its own (first log level only)


# --- the bodies ---


def calculate_body(shop_id: str, declared_value: Decimal) -> bytes:
    body = {
        "shop_id": shop_id,
        "bitrix_delivery_id": DELIVERY_ID,
        "delivery_type": "to_address",
        "address": ADDRESS,
        "packages": [PACKAGE],
        "declared_value": float(declared_value),
        "payment_method": "prepaid",
    }
    return json.dumps(body, ensure_ascii=False).encode()


def ozon_body(declared_value: Decimal) -> bytes:
    """What the bridge sends Ozon for calculate_body(…, declared_value)."""
    request = QuoteRequest(
        warehouse_id=str(OZON_PARAMS["DEFAULT_WAREHOUSE_ID"]),
        destination="to_address",
        address=Address(**ADDRESS),
        pickup_point_id=None,
        packages=(Package(**PACKAGE),),
        declared_value=declared_value,
        payment_method="prepaid",
    )
    return wire.encode_json(wire.quote_body(request))


# --- load ---


class Keepalive:
    """One persistent HTTP/1.1 connection: the lightest client the stdlib has, for timing."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        assert parts.hostname is not None
        assert parts.port is not None
        self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        self._headers = {"Content-Type": "application/json", **headers}

    def post(self, path: str, body: bytes) -> tuple[float, int, bytes]:
        """(seconds, status, body)."""
        started = time.perf_counter()
        self._conn.request("POST", path, body=body, headers=self._headers)
        answer = self._conn.getresponse()
        data = answer.read()
        return time.perf_counter() - started, answer.status, data

    def close(self) -> None:
        self._conn.close()


@dataclass(frozen=True)
class Target:
    """A server under warm load and the request it gets."""

    label: str
    server: Server
    body: bytes
    token: str | None


def run_load(opts: Options, target: Target, cpu: int | None, seconds: float) -> Load:
    headers = [f"Authorization: Bearer {target.token}"] if target.token else []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        if opts.tool == "wrk":
            argv = _wrk_argv(opts, target, headers, Path(tmp), seconds)
        else:
            argv = _loadgen_argv(opts, target, headers, Path(tmp), seconds)
        cpu_before = cpu_seconds(target.server.process.pid)
        # The argv is ours: wrk or bench/_loadgen.py with the bench's own arguments.
        done = subprocess.run(  # noqa: S603
            pinned(cpu, argv), capture_output=True, text=True, check=False
        )
        cpu_after = cpu_seconds(target.server.process.pid)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed:\n{done.stdout}\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Load(
        requests=result["requests"],
        seconds=result["seconds"],
        p50_ms=result["p50_ms"],
        p99_ms=result["p99_ms"],
        errors=result["errors"],
        server_cpu_seconds=(
            cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
        ),
    )


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [==[%(body)s]==]
wrk.headers["Content-Type"] = "application/json"
%(headers)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "seconds": %%f, "p50_ms": %%f, "p99_ms": %%f, "errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _wrk_argv(
    opts: Options, target: Target, headers: list[str], tmp: Path, seconds: float
) -> list[str]:
    lua_headers = "\n".join(
        f'wrk.headers["{name}"] = "{value.strip()}"'
        for name, _, value in (h.partition(":") for h in headers)
    )
    script = tmp / "calculate.lua"
    script.write_text(WRK_SCRIPT % {"body": target.body.decode(), "headers": lua_headers})
    return [
        shutil.which("wrk") or "wrk",
        "-t1",
        f"-c{opts.connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        f"{target.server.url}/api/v1/calculate",
    ]


def _loadgen_argv(
    opts: Options, target: Target, headers: list[str], tmp: Path, seconds: float
) -> list[str]:
    body_file = tmp / "body.json"
    body_file.write_bytes(target.body)
    argv = [
        sys.executable,
        str(ROOT / "bench" / "_loadgen.py"),
        f"--port={target.server.port}",
        "--path=/api/v1/calculate",
        f"--body-file={body_file}",
        f"--connections={opts.connections}",
        f"--duration={seconds:g}",
    ]
    return argv + [f"--header={h}" for h in headers]


def warm_rounds(opts: Options, targets: list[Target], cpu: int | None) -> list[Warm]:
    """Each target warmed up once, then `rounds` rounds of one run per target."""
    for target in targets:
        run_load(opts, target, cpu, opts.warmup)
    runs: list[list[Load]] = [[] for _ in targets]
    for number in range(1, opts.rounds + 1):
        for target, mine in zip(targets, runs, strict=True):
            load = run_load(opts, target, cpu, opts.duration)
            mine.append(load)
            print(f"  round {number}  {target.label:<20} {_load_line(load)}")
    return [Warm(tuple(mine)) for mine in runs]


# --- setup through the API ---


def create_shop(bridge: Server) -> tuple[str, str]:
    """A shop and its delivery service, made as an operator would: (shop_id, shop token)."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=bridge.url, timeout=10) as client:
        shop = client.post(
            "/api/v1/shops",
            json={"name": "Bench shop", "ozon_webhook_secrets": ["whsec_" + uuid.uuid4().hex]},
            headers=admin,
        )
        shop.raise_for_status()
        shop_id, token = shop.json()["id"], shop.json()["token"]
        service = client.put(
            f"/api/v1/shops/{shop_id}/delivery-services/{DELIVERY_ID}",
            json={"params": OZON_PARAMS, "pricing": {}},
            headers=admin,
        )
        service.raise_for_status()
    return str(shop_id), str(token)


def fill_cache(bridge: Server, body: bytes, token: str) -> int:
    """The miss that fills the quote cache (and the bridge's Ozon token), then a hit; its size."""
    client = Keepalive(bridge.url, {"Authorization": f"Bearer {token}"})
    try:
        for expect_cached in (False, True):
            _, status, answer = client.post("/api/v1/calculate", body)
            if status != 200 or json.loads(answer)["cached"] is not expect_cached:
                raise RuntimeError(f"{bridge.name} answered {status}: {answer[:500]!r}")
    finally:
        client.close()
    return len(answer)


def sandbox_token(sandbox: Server) -> str:
    answer = httpx.post(
        f"{sandbox.url}/v1/auth/token",
        json={"api_key": OZON_PARAMS["OZON_API_KEY"], "seller_id": OZON_PARAMS["SELLER_ID"]},
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


# --- cold ---


def cold_series(bridge: Server, sandbox: Server, shop_id: str, token: str, count: int) -> Cold:
    """Sequential misses, alternating which side goes first; each value asked once per side."""
    through_bridge = Keepalive(bridge.url, {"Authorization": f"Bearer {token}"})
    direct = Keepalive(
        sandbox.url,
        {
            "Authorization": f"Bearer {sandbox_token(sandbox)}",
            "Accept": "application/json",
            "User-Agent": "ozon-rocket-bridge",
        },
    )
    # Values no run of this bridge asked for before: every bridge request is a miss.
    base = Decimal(10_000 + uuid.uuid4().int % 1_000_000)
    bridge_seconds: list[float] = []
    direct_seconds: list[float] = []
    try:
        for i in range(COLD_WARMUP + count):
            value = base + Decimal(i) / 100
            sides = [
                (
                    bridge_seconds,
                    through_bridge,
                    "/api/v1/calculate",
                    calculate_body(shop_id, value),
                ),
                (direct_seconds, direct, "/v1/calculate", ozon_body(value)),
            ]
            for into, client, path, body in sides if i % 2 else sides[::-1]:
                _time_into(into, client, path, body, cold=client is through_bridge)
    finally:
        through_bridge.close()
        direct.close()
    return Cold(
        bridge=Series.of(bridge_seconds[COLD_WARMUP:]),
        direct=Series.of(direct_seconds[COLD_WARMUP:]),
    )


def _time_into(
    into: list[float], client: Keepalive, path: str, body: bytes, *, cold: bool = False
) -> None:
    seconds, status, data = client.post(path, body)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}: {data[:500]!r}")
    if cold and json.loads(data)["cached"]:
        raise RuntimeError("a cold request was answered from the cache")
    into.append(seconds)


# --- the run ---


def bridge_env(
    database_url: str, sandbox: Server, secret_key: str, log_level: str
) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "SECRET_KEY": secret_key,
        "OZON_BASE_URL": sandbox.url,
        "ALLOW_LOCAL_URLS": "true",
        "RUN_WORKERS": "false",
        "SANDBOX": "false",
        "LOG_LEVEL": log_level,
        "LOG_JSON": "true",
    }


@contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.stop()


def run(opts: Options) -> None:
    info = machine(opts)
    server_cpu, load_cpu = cpu_plan()
    if load_cpu is not None:
        os.sched_setaffinity(0, {load_cpu})  # the cold client, beside the load generator
    server_url = resolve_database_url(
        os.environ.get("DATABASE_URL"), os.environ.get("VAR_DIR", "var")
    )
    info["pinning"] = (
        f"servers on CPU {server_cpu}; load generator, cold client and the Ozon sandbox "
        f"on CPU {load_cpu}"
        if server_cpu is not None
        else "none (fewer than 2 CPUs, or no taskset)"
    )
    info["database"] = describe_database(server_url)
    print(f"calculate bench, {info['date']}")
    for key, value in info.items():
        print(f"  {key}: {value}")

    with ExitStack() as stack:
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-calculate-")))
        database_url = stack.enter_context(
            fresh_database(server_url, f"ozon_bridge_bench_{os.getpid()}")
        )
        upgrade_to_head(database_url)

        def serve(
            name: str,
            argv_for: Callable[[int], list[str]],
            *,
            cpu: int | None,
            ready_path: str = "/healthz",
            env: dict[str, str] | None = None,
        ) -> Server:
            port = free_port()
            server = start_server(
                name,
                argv_for(port),
                port=port,
                log_dir=logs,
                env=env,
                cpu=cpu,
                ready_path=ready_path,
            )
            return stack.enter_context(running(server))

        sandbox = serve(
            "ozon-sandbox",
            lambda port: serve_argv("ozon-sandbox", port),
            cpu=load_cpu,
            ready_path="/_sandbox/stats",
        )
        baseline = serve("baseline", lambda port: serve_argv("baseline", port), cpu=server_cpu)
        secret_key = new_fernet_key()
        bridges = [
            serve(
                f"bridge-{level}",
                bridge_argv,
                env=bridge_env(database_url, sandbox, secret_key, level),
                cpu=server_cpu,
                ready_path="/readyz",
            )
            for level in opts.log_levels
        ]
        shop_id, token = create_shop(bridges[0])
        body = calculate_body(shop_id, WARM_DECLARED_VALUE)
        sizes = [fill_cache(bridge, body, token) for bridge in bridges]
        # Any valid body does for the baseline, which knows no shops.
        probe = calculate_body(str(uuid.uuid4()), WARM_DECLARED_VALUE)
        baseline_size = len(Keepalive(baseline.url, {}).post("/api/v1/calculate", probe)[2])
        info["answer bytes"] = f"bridge {sizes[0]}, baseline {baseline_size}"

        print(f"\nwarm: {opts.rounds} rounds of {opts.duration:g} s per server")
        targets = [Target("baseline", baseline, probe, None)] + [
            Target(f"bridge {level}", bridge, body, token)
            for level, bridge in zip(opts.log_levels, bridges, strict=True)
        ]
        base_warm, *bridge_warms = warm_rounds(opts, targets, load_cpu)

        print(f"\ncold: {opts.cold_requests} sequential misses per side")
        # One request is in flight at a time, so one CPU serves the client, the bridge and the
        # sandbox without queueing, and neither side pays for waking another CPU.
        _move([0, sandbox.process.pid], server_cpu)
        colds = [
            cold_series(bridge, sandbox, shop_id, token, opts.cold_requests) for bridge in bridges
        ]
        for level, cold in zip(opts.log_levels, colds, strict=True):
            print(f"  one CPU         bridge {level:<8} {_cold_line(cold)}")
        apart = None
        if server_cpu is not None:
            _move([0, sandbox.process.pid], load_cpu)
            apart = cold_series(bridges[0], sandbox, shop_id, token, opts.cold_requests)
            print(f"  bridge apart    bridge {opts.log_levels[0]:<8} {_cold_line(apart)}")
        results = [
            BridgeResult(level, warm, cold, apart if number == 0 else None)
            for number, (level, warm, cold) in enumerate(
                zip(opts.log_levels, bridge_warms, colds, strict=True)
            )
        ]

    info["load average after"] = _loadavg()
    print()
    for line in summary(base_warm, results):
        print(line)
    if opts.write:
        write_section(render(info, opts, base_warm, results))
        print(f"written to {RESULTS.relative_to(ROOT)}")


def _move(pids: list[int], cpu: int | None) -> None:
    """Pin running processes (0: this one) to `cpu`; nothing when not pinning."""
    if cpu is not None:
        for pid in pids:
            os.sched_setaffinity(pid, {cpu})


def _load_line(load: Load) -> str:
    errors = f", {load.errors} ERRORS" if load.errors else ""
    cpu = f"  {load.cpu_us:5.0f} µs CPU/req" if load.cpu_us is not None else ""
    return (
        f"{load.rps:7.0f} req/s  p50 {load.p50_ms:6.2f} ms  p99 {load.p99_ms:6.2f} ms{cpu}{errors}"
    )


def _cold_line(cold: Cold) -> str:
    return (
        f"bridge p50 {cold.bridge.p50_ms:.2f} / p99 {cold.bridge.p99_ms:.2f} ms, "
        f"direct p50 {cold.direct.p50_ms:.2f} / p99 {cold.direct.p99_ms:.2f} ms, "
        f"added p50 {cold.added_p50_ms:.2f} / p99 {cold.added_p99_ms:.2f} ms"
    )


def summary(base: Warm, results: list[BridgeResult]) -> list[str]:
    lines = [
        f"baseline           {base.rps:7.0f} req/s  p50 {base.p50_ms:.2f} ms  "
        f"p99 {base.p99_ms:.2f} ms"
    ]
    for r in results:
        ratio = r.warm.ratio(base)
        added = r.cold.added_p50_ms
        cpu_ratio = r.warm.cpu_ratio(base)
        lines.append(
            f"bridge {r.log_level:<8}    {r.warm.rps:7.0f} req/s  p50 {r.warm.p50_ms:.2f} ms  "
            f"p99 {r.warm.p99_ms:.2f} ms  ratio {ratio:.2f} "
            f"({_verdict(ratio >= TARGET_WARM_RATIO)} >= {TARGET_WARM_RATIO})"
            + (f", CPU ratio {cpu_ratio:.2f}" if cpu_ratio else "")
            + f"; cold added p50 {added:.2f} ms "
            f"({_verdict(added <= TARGET_COLD_ADDED_P50_MS)} <= {TARGET_COLD_ADDED_P50_MS:g} ms)"
        )
        if r.warm.errors:
            lines.append(f"  {r.warm.errors} failed requests under warm load: figures not valid")
    return lines


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


# --- the report ---


def machine(opts: Options) -> dict[str, str]:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http_impl = "httptools" if importlib.util.find_spec("httptools") else "h11"
    wrk = shutil.which("wrk")
    if opts.tool == "wrk" and wrk:
        version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
        tool = (version.stdout or version.stderr).split(" [")[0].strip() + ", 1 thread"
    else:
        why = "--load python" if wrk else "wrk not found"
        tool = f"bench/_loadgen.py (Python, asyncio, raw HTTP/1.1; {why})"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, "
        f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "server": f"uvicorn {importlib.metadata.version('uvicorn')} ({loop}, {http_impl}), "
        "one worker, app.cli.run_server for all three; "
        f"fastapi {importlib.metadata.version('fastapi')}, "
        f"pydantic {importlib.metadata.version('pydantic')}",
        "load": f"{tool}, {opts.connections} connections, {opts.rounds} rounds of "
        f"{opts.duration:g} s per server after {opts.warmup:g} s of warm-up",
        "load average before": _loadavg(),
    }


def _loadavg() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def render(info: dict[str, str], opts: Options, base: Warm, results: list[BridgeResult]) -> str:
    def cpu(warm: Warm) -> str:
        return f"{warm.cpu_us:.0f}" if warm.cpu_us is not None else "n/a"

    warm_rows = [
        "| server | requests/s | p50 ms | p99 ms | server CPU µs/request | ratio | CPU ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| baseline: bare FastAPI, same body validation, constant answer | {base.rps:.0f} "
        f"| {base.p50_ms:.2f} | {base.p99_ms:.2f} | {cpu(base)} | 1.00 | 1.00 |",
    ]
    for r in results:
        cpu_ratio = r.warm.cpu_ratio(base)
        warm_rows.append(
            f"| bridge, cache hit, LOG_LEVEL={r.log_level}{_default(r.log_level)} "
            f"| {r.warm.rps:.0f} | {r.warm.p50_ms:.2f} | {r.warm.p99_ms:.2f} | {cpu(r.warm)} "
            f"| **{r.warm.ratio(base):.2f}** | {f'{cpu_ratio:.2f}' if cpu_ratio else 'n/a'} |"
        )
    cold_rows = [
        "| bridge LOG_LEVEL, layout | direct p50 | direct p99 | bridge p50 | bridge p99 "
        "| added p50 | added p99 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    cold_rows += [
        _cold_row(f"{r.log_level}{_default(r.log_level)}, one CPU", r.cold, bold=True)
        for r in results
    ]
    cold_rows += [
        _cold_row(f"{r.log_level}, bridge on a CPU of its own", r.cold_apart, bold=False)
        for r in results
        if r.cold_apart is not None
    ]
    lines = [
        START,
        "## calculate (`bench/calculate.py`)",
        "",
        *(f"- {key}: {value}" for key, value in info.items()),
        "",
        "### Warm: quote-cache hit vs a bare FastAPI endpoint",
        "",
        f"Each figure is the median of {opts.rounds} rounds; a round runs the load against each "
        "server in turn, and the ratio is the median of the rounds' requests/s ratios. "
        "CPU ratio: the baseline's server CPU time per request over the bridge's, the same "
        "comparison with other processes' noise taken out.",
        "",
        *warm_rows,
        "",
        f"Target: ratio ≥ {TARGET_WARM_RATIO}. A load average near or above the number of CPUs "
        "means other processes shared them during the run: requests/s and latencies move with "
        "that load, the CPU ratio much less.",
        "",
        "### Cold: a cache miss through the bridge vs the same Ozon call made directly",
        "",
        f"{opts.cold_requests} sequential requests per side (after {COLD_WARMUP} unmeasured), "
        "each with its own declared value, alternating which side goes first; both sides hold "
        "their Ozon token already and use one keep-alive connection. Milliseconds. "
        "The target is judged on one CPU for client, bridge and sandbox: with one request in "
        "flight nothing queues there, and neither path pays for waking another CPU. With the "
        "bridge on a CPU of its own, its path crosses CPUs four times and the direct one never; "
        "on a virtual machine each crossing can cost far more than the bridge's own work.",
        "",
        *cold_rows,
        "",
        f"Target: added p50 ≤ {TARGET_COLD_ADDED_P50_MS:g} ms.",
        "",
        "Summary:",
        "",
        "```",
        *summary(base, results),
        "```",
        "",
        "Reproduce: `make bench` (DATABASE_URL unset: the embedded PostgreSQL), or "
        "`DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres "
        ".venv/bin/python bench/calculate.py`; `--help` for rounds, durations, connections.",
        END,
    ]
    return "\n".join(lines)


def _cold_row(label: str, cold: Cold, *, bold: bool) -> str:
    added = f"**{cold.added_p50_ms:.2f}**" if bold else f"{cold.added_p50_ms:.2f}"
    return (
        f"| {label} | {cold.direct.p50_ms:.2f} | {cold.direct.p99_ms:.2f} "
        f"| {cold.bridge.p50_ms:.2f} | {cold.bridge.p99_ms:.2f} | {added} "
        f"| {cold.added_p99_ms:.2f} |"
    )


def _default(level: str) -> str:
    return " (production default)" if level == "INFO" else ""


def write_section(section: str) -> None:
    """Replace this bench's section in RESULTS.md, leaving other benches' sections alone."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Bench results\n"
    if START in text and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per warm run")
    parser.add_argument("--rounds", type=int, default=5, help="warm runs per server")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before the rounds")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--cold-requests", type=int, default=300)
    parser.add_argument(
        "--log-levels",
        default="INFO,WARNING",
        help="bridge LOG_LEVELs to measure (INFO is the production default)",
    )
    parser.add_argument("--load", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md")
    args = parser.parse_args(argv)
    tool: str = args.load
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    return Options(
        duration=args.duration,
        rounds=args.rounds,
        warmup=args.warmup,
        connections=args.connections,
        cold_requests=args.cold_requests,
        log_levels=tuple(level.strip().upper() for level in args.log_levels.split(",")),
        tool=tool,
        write=not args.no_write,
    )


def main(argv: list[str] | None = None) -> None:
    opts = parse_args(argv)
    print(f"load generator: {opts.tool}")
    run(opts)


if __name__ == "__main__":
    main()
