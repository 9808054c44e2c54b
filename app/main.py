"""create_app(): routers, error handlers, middleware and the lifespan that owns every client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from app import health
from app.bitrix.client import BitrixRestClient, build_bitrix_http_client
from app.calculate.cache import SharedTTLCache
from app.calculate.router import router as calculate_router
from app.config import Settings, get_settings
from app.crypto import SecretBox
from app.db import create_engine, create_session_factory
from app.demo import DemoWiring
from app.devdb import resolve_database_url
from app.errors import install_error_handlers
from app.logging import configure_logging
from app.metrics import Metrics
from app.middleware import RequestContext
from app.outbox.router import router as outbox_router
from app.ozon.client import OzonRocketClient, build_http_client
from app.pickup_points.router import router as pickup_points_router
from app.pickup_points.widget import mount_widget_static
from app.pickup_points.widget import router as widget_router
from app.returns.router import router as returns_router
from app.runtime import Runtime
from app.shipments.router import router as shipments_router
from app.shops.lookup import ShopLookup
from app.shops.router import router as shops_router
from app.webhooks.router import router as webhooks_router
from app.workers import Workers

DESCRIPTION = """
The bridge between a 1C-Bitrix shop and **Ozon Rocket**: checkout calculation, shipments,
status webhooks pushed back to Bitrix, partial acceptance and the pickup-point network.

* **Auth:** `Authorization: Bearer <token>` — the admin token manages shops; a shop token
  (issued once by `POST /api/v1/shops`) sees only its own shop.
* **Errors:** always `application/problem+json` (RFC 9457) with `detail` you can act on and,
  for invalid fields, `errors: [{loc, msg}]`. Every response echoes `X-Request-Id`.
* **Money:** JSON numbers with 2 decimals, roubles. Weights in grams, sizes in millimetres.
"""


def _operation_id(route: APIRoute) -> str:
    # Stable ids for generated clients: the function name, which does not change with paths.
    return route.name


def create_app(
    settings: Settings | None = None,
    *,
    ozon_transport: httpx.AsyncBaseTransport | None = None,
    bitrix_transport: httpx.AsyncBaseTransport | None = None,
    demo: DemoWiring | None = None,
) -> FastAPI:
    """The bridge. Transports let tests put the emulators in-process; `demo` wires `make run`."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    sandboxes = build_sandboxes(settings, demo)
    # Per app, not per process: tests build many apps, and each counts only its own traffic.
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = build_runtime(
            settings,
            ozon_transport=ozon_transport,
            bitrix_transport=bitrix_transport,
            metrics=metrics,
        )
        app.state.runtime = runtime
        workers = Workers(runtime)
        async with AsyncExitStack() as stack:
            # Starlette runs no lifespan of a mounted app: ours enters theirs.
            for sandbox in sandboxes.values():
                await stack.enter_async_context(sandbox.router.lifespan_context(sandbox))
            if demo is not None:
                demo.register_webhook(sandboxes["ozon-rocket"])
            if settings.run_workers:
                workers.start()
            try:
                yield
            finally:
                await workers.shutdown()
                await runtime.aclose()

    app = FastAPI(
        title="Ozon Rocket ⇄ 1C-Bitrix bridge",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        openapi_tags=[
            {"name": "calculate", "description": "Checkout: options and the price"},
            {"name": "shops", "description": "Shops and their delivery-service settings"},
            {"name": "shipments", "description": "Ozon orders made from Bitrix shipments"},
            {"name": "webhooks", "description": "Status events pushed by Ozon Rocket"},
            {"name": "returns", "description": "Partial acceptance, refusals and refunds"},
            {"name": "operations", "description": "Health, readiness and the outbox to Bitrix"},
            {"name": "pickup points", "description": "The synced Ozon pickup-point network"},
            {"name": "widget", "description": "The checkout widget and its open search"},
        ],
    )
    install_error_handlers(app)
    app.add_middleware(RequestContext, max_body=settings.max_request_bytes, metrics=metrics)
    # The checkout's hot path first: routes are matched in order.
    app.include_router(calculate_router)
    app.include_router(health.router)
    app.include_router(shops_router)
    app.include_router(shipments_router)
    app.include_router(webhooks_router)
    app.include_router(returns_router)
    app.include_router(outbox_router)
    app.include_router(pickup_points_router)
    app.include_router(widget_router)
    mount_widget_static(app, settings)
    for name, sandbox in sandboxes.items():
        app.mount(f"/sandbox/{name}", sandbox)
    return app


def build_sandboxes(settings: Settings, demo: DemoWiring | None) -> dict[str, FastAPI]:
    """The emulators mounted under /sandbox when SANDBOX=true (the demo)."""
    if not settings.sandbox:
        return {}
    from app.sandbox.bitrix.app import create_bitrix_sandbox
    from app.sandbox.bitrix.config import BitrixSandboxConfig
    from app.sandbox.ozon_rocket.app import create_ozon_rocket_sandbox
    from app.sandbox.ozon_rocket.config import SandboxConfig

    auto = demo.auto_advance_seconds if demo is not None else None
    return {
        "ozon-rocket": create_ozon_rocket_sandbox(SandboxConfig(auto_advance_seconds=auto)),
        "bitrix": create_bitrix_sandbox(BitrixSandboxConfig(seed_demo=True)),
    }


def build_runtime(
    settings: Settings,
    *,
    ozon_transport: httpx.AsyncBaseTransport | None = None,
    bitrix_transport: httpx.AsyncBaseTransport | None = None,
    metrics: Metrics | None = None,
) -> Runtime:
    if settings.secret_key is None:
        raise RuntimeError(
            "SECRET_KEY is not set: generate one with `python -m app secret-key` "
            "(comma-separate several keys to rotate)."
        )
    box = SecretBox.from_setting(settings.secret_key.get_secret_value())
    engine = create_engine(
        resolve_database_url(settings.database_url, settings.var_dir),
        pool_size=settings.database_pool_size,
    )
    sessions = create_session_factory(engine)
    ozon_http = build_http_client(settings, transport=ozon_transport)
    bitrix_http = build_bitrix_http_client(settings, transport=bitrix_transport)
    metrics = metrics or Metrics()
    carrier = OzonRocketClient(
        ozon_http,
        call_deadline=settings.ozon_call_deadline,
        max_attempts=settings.ozon_max_attempts,
        observer=metrics.observe_ozon_call,
    )
    return Runtime(
        # Requests queue here, first come first served, rather than in the pool, whose waiters
        # a newcomer can overtake: under load some requests then waited 30 s for a connection.
        # At most the pool's kept connections: past them each request opened and closed a
        # connection of its own (half the throughput at 32 concurrent webhooks); the overflow
        # is left to lookups and the background work.
        request_sessions=asyncio.Semaphore(settings.database_pool_size),
        settings=settings,
        engine=engine,
        session_factory=sessions,
        secrets=box,
        carrier=carrier,
        ozon_http=ozon_http,
        quote_cache=SharedTTLCache(
            ttl=settings.calculate_cache_ttl, maxsize=settings.calculate_cache_size
        ),
        lookup=ShopLookup(sessions, box),
        bitrix=BitrixRestClient(
            bitrix_http,
            call_deadline=settings.bitrix_call_deadline,
            query_limit_wait=settings.bitrix_query_limit_wait,
            overload_wait=settings.bitrix_overload_wait,
            operating_limit_wait=settings.bitrix_operating_limit_wait,
        ),
        bitrix_http=bitrix_http,
        metrics=metrics,
    )


def app_factory() -> FastAPI:
    """For `uvicorn --factory app.main:app_factory`."""
    return create_app()
