"""The sandbox's FastAPI app: the emulated API, the control panel and the edge middleware."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from app.sandbox.ozon_rocket import api, control
from app.sandbox.ozon_rocket.config import SandboxConfig
from app.sandbox.ozon_rocket.errors import (
    default_error_code,
    error_response,
    install_error_handlers,
)
from app.sandbox.ozon_rocket.faults import Fault
from app.sandbox.ozon_rocket.state import SandboxState

log = logging.getLogger(__name__)

CallNext = Callable[[Request], Awaitable[Response]]
API_PREFIX = "/v1/"


def create_ozon_rocket_sandbox(config: SandboxConfig | None = None) -> FastAPI:
    """A fresh emulator; its state is `app.state.sandbox` (a SandboxState).

    Mounted apps get no lifespan from Starlette: a host that wants the demo timer or a tidy
    shutdown enters `sandbox.router.lifespan_context(sandbox)` inside its own lifespan.
    """
    state = SandboxState(config or SandboxConfig())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state.start()
        try:
            yield
        finally:
            await state.aclose()

    app = FastAPI(
        title="Ozon Rocket sandbox",
        version="1.0.0",
        description="An in-memory emulator of the Ozon Rocket partner API, with a control panel.",
        lifespan=lifespan,
    )
    app.state.sandbox = state
    install_error_handlers(app)
    app.middleware("http")(edge)
    app.include_router(api.router)
    app.include_router(control.router)
    return app


async def edge(request: Request, call_next: CallNext) -> Response:
    """Request id on every answer, injected faults, per-path counts and no bare 500s."""
    state: SandboxState = request.app.state.sandbox
    path = _route_path(request.scope)
    try:
        response = await _serve(state, request, path, call_next)
    except Exception:
        log.exception("sandbox_unhandled_error")
        response = error_response(500, "INTERNAL", "The sandbox failed unexpectedly")
    response.headers["X-Request-Id"] = uuid.uuid4().hex
    if path.startswith(API_PREFIX):
        state.record_request(_template(request), response.status_code)
    return response


async def _serve(state: SandboxState, request: Request, path: str, call_next: CallNext) -> Response:
    fault = state.faults.take(request.method, path) if path.startswith(API_PREFIX) else None
    if fault is None:
        return await call_next(request)
    if fault.phase == "request":
        await asyncio.sleep(fault.latency_ms / 1000)
        if fault.hang:
            await state.faults.hang()
        if fault.hang or fault.status is not None:
            return _fault_response(fault)
        return await call_next(request)
    # phase "response": the call takes effect; what the client sees is delayed or lost.
    response = await call_next(request)
    await asyncio.sleep(fault.latency_ms / 1000)
    if not fault.hang and fault.status is None:
        return response
    await _discard(response)
    if fault.hang:
        await state.faults.hang()
    return _fault_response(fault)


def _fault_response(fault: Fault) -> Response:
    # A released hang with no status of its own reads as a gateway timeout.
    status = fault.status or 504
    headers: dict[str, str] = {}
    if fault.retry_after is not None or status == 429:
        headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
    return error_response(
        status,
        fault.error_code or default_error_code(status),
        f"Injected fault #{fault.fault_id}",
        headers=headers,
    )


async def _discard(response: Response) -> None:
    body_iterator = getattr(response, "body_iterator", None)
    if body_iterator is not None:
        async for _ in body_iterator:
            pass


def _route_path(scope: Scope) -> str:
    """The path below the mount point (the bridge mounts the sandbox under a prefix)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path


def _template(request: Request) -> str:
    """'/v1/orders/{order_id}' rather than one key per order id; faulted calls included."""
    for route in api.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            return str(getattr(route, "path", ""))
    return _route_path(request.scope)
