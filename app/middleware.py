"""Pure-ASGI middleware: request ids, one log line and metrics per request, request size limit."""

from __future__ import annotations

import itertools
import json
import os
import re
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logging import ACCESS_LOG
from app.metrics import Metrics

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Request ids: 32 hex characters like a uuid4's, unique across processes by a random prefix
# and within one by a counter (uuid4 read the OS's random source on every request).
_ID_PREFIX = os.urandom(6).hex()
_ID_COUNTER = itertools.count(int.from_bytes(os.urandom(4), "big"))


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):020x}"


class RequestContext:
    """Takes X-Request-Id (or makes one), echoes it, binds it to log lines, logs the request."""

    def __init__(self, app: ASGIApp, *, max_body: int, metrics: Metrics | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            await _too_large(send, request_id, self.max_body)
            return
        if declared is None and _header(scope, b"transfer-encoding") is not None:
            # A chunked body says nothing of its size: read it here, up to the limit.
            buffered = await _read_limited(receive, self.max_body)
            if buffered is None:
                await _too_large(send, request_id, self.max_body)
                return
            receive = _replay(buffered, receive)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # The template (/api/v1/shipments/{shipment_id}), never the raw path: bounded labels.
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            seconds = time.perf_counter() - started
            ACCESS_LOG.write(
                method=scope["method"],
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )
            if self.metrics is not None:
                self.metrics.observe_request(scope["method"], route, status, seconds)


async def _read_limited(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _too_large(send: Send, request_id: str, limit: int) -> None:
    body = json.dumps(
        {
            "type": "https://ozon-bridge.dev/problems/payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"The request body exceeds {limit} bytes.",
            "request_id": request_id,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
