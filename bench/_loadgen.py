"""The load generator used when wrk is missing: keep-alive connections posting one body.

Runs as its own process (the bench pins it away from the server); prints one JSON line.
Raw HTTP/1.1 over asyncio streams: an HTTP client library would cost more CPU per request
than the servers it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path


def build_request(host: str, port: int, path: str, body: bytes, headers: Sequence[str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise ValueError("the server answered without Content-Length")


async def connection(
    host: str,
    port: int,
    request: bytes,
    stop_at: float,
    latencies: list[float],
    failures: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(content_length(head))
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 2"):
                failures.append(int(head[9:12]))
    finally:
        writer.close()


async def run(args: argparse.Namespace, request: bytes) -> dict[str, float | int]:
    latencies: list[float] = []
    failures: list[int] = []
    started = time.perf_counter()
    stop_at = started + args.duration
    await asyncio.gather(
        *(
            connection(args.host, args.port, request, stop_at, latencies, failures)
            for _ in range(args.connections)
        )
    )
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
        "errors": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--body-file", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    body = Path(args.body_file).read_bytes()
    request = build_request(args.host, args.port, args.path, body, args.header)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(run(args, request))
    else:
        result = uvloop.run(run(args, request))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
