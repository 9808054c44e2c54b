"""Replay a file of ready-made HTTP/1.1 requests, each exactly once, over keep-alive connections.

Run as its own process (the benches pin it away from the server); prints one JSON line with
the rate, latency percentiles, the status of every answer and the process's own CPU use, so a
reader can see whether the generator or the server was the limit. Raw HTTP over asyncio
streams: an HTTP client library would cost more CPU per request than the server it measures.

The request file is a sequence of frames: a 4-byte big-endian length, then that many bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import struct
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_FRAME = struct.Struct(">I")


def write_requests(path: Path, requests: Sequence[bytes]) -> None:
    """The file this generator replays: each request framed by its length."""
    with path.open("wb") as out:
        for request in requests:
            out.write(_FRAME.pack(len(request)))
            out.write(request)


def read_requests(path: Path) -> list[bytes]:
    data = path.read_bytes()
    requests: list[bytes] = []
    offset = 0
    while offset < len(data):
        (size,) = _FRAME.unpack_from(data, offset)
        offset += _FRAME.size
        requests.append(data[offset : offset + size])
        offset += size
    return requests


def http_request(
    method: str, host: str, port: int, path: str, body: bytes = b"", headers: Sequence[str] = ()
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", *headers]
    if body or method != "GET":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise ValueError("an answer without Content-Length (chunked answers are not expected)")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    # A few non-2xx answers, to say why without a second run.
    samples: list[str] = field(default_factory=list)


async def _connection(
    host: str, port: int, requests: Iterator[bytes], tally: Tally, answer_within: float
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            async with asyncio.timeout(answer_within):
                head = await reader.readuntil(b"\r\n\r\n")
                body = await reader.readexactly(_content_length(head))
            tally.latencies.append(time.perf_counter() - started)
            status = int(head[9:12])
            tally.statuses[status] += 1
            if not 200 <= status < 300 and len(tally.samples) < 3:
                tally.samples.append(f"{status}: {body[:300]!r}")
    finally:
        writer.close()


async def replay(
    host: str, port: int, requests: list[bytes], connections: int, answer_within: float
) -> dict[str, object]:
    # One shared iterator: each request goes out once, on whichever connection is free first.
    shared = iter(requests)
    tally = Tally()
    cpu_started = time.process_time()
    started = time.perf_counter()
    results = await asyncio.gather(
        *(_connection(host, port, shared, tally, answer_within) for _ in range(connections)),
        return_exceptions=True,
    )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    errors = [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    cuts = statistics.quantiles(tally.latencies, n=1000, method="inclusive")
    return {
        "sent": len(requests),
        "answered": len(tally.latencies),
        "seconds": seconds,
        "rate": len(tally.latencies) / seconds,
        "p50_ms": cuts[499] * 1000,
        "p90_ms": cuts[899] * 1000,
        "p99_ms": cuts[989] * 1000,
        "p999_ms": cuts[998] * 1000,
        "max_ms": max(tally.latencies) * 1000,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "samples": tally.samples,
        "connection_errors": errors,
        "cpu_seconds": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", type=Path, required=True, help="the framed request file")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per answer")
    args = parser.parse_args()
    requests = read_requests(args.requests)
    coro = replay(args.host, args.port, requests, args.connections, args.timeout)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(coro)
    else:
        result = uvloop.run(coro)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
