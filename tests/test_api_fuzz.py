"""Schemathesis against our own OpenAPI: no server error, no answer outside the declared schema,
and no operation that needs a token answers without one. Time-boxed (FUZZ_EXAMPLES scales it)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from sqlalchemy.engine import make_url

from app.config import Settings
from app.crypto import new_fernet_key
from app.main import create_app
from app.models import Base
from tests.conftest import ADMIN, ADMIN_TOKEN, DEFAULT_PARAMS
from tests.serving import serve_built_in_thread

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# The whole fuzz run stops generating after this many seconds (operations left get fewer cases).
BUDGET_SECONDS = float(os.environ.get("FUZZ_BUDGET_SECONDS", "60"))

# Open by contract (shared/contracts/bridge-api.md): no token needed.
OPEN_PATHS = {"/healthz", "/readyz", "/metrics"}
OPEN_PREFIXES = ("/widget/", "/webhooks/")


async def _truncate(database_url: str) -> None:
    u = make_url(database_url)
    conn = await asyncpg.connect(
        host=u.query.get("host") or u.host,
        port=u.port,
        user=u.username,
        password=u.password,
        database=u.database,
    )
    try:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture
def served(database_url: str) -> Iterator[str]:
    """The bridge served for real with the Ozon and Bitrix emulators mounted (SANDBOX mode)."""

    def build(base_url: str) -> Any:
        settings = Settings(
            database_url=database_url,
            admin_token=ADMIN_TOKEN,
            secret_key=new_fernet_key(),
            ozon_base_url=f"{base_url}/sandbox/ozon-rocket",
            allow_local_urls=True,
            run_workers=False,
            sandbox=True,
            calculate_deadline=1.0,
            ozon_call_deadline=2.0,
            bitrix_call_deadline=2.0,
        )
        return create_app(settings)

    try:
        with serve_built_in_thread(build) as base_url:
            yield base_url
    finally:
        asyncio.run(_truncate(database_url))


def _seed_shop(base_url: str) -> None:
    """A shop with a delivery service, so that some generated ids and lists meet real rows."""
    with httpx.Client(base_url=base_url, timeout=10) as http:
        shop = http.post(
            "/api/v1/shops",
            json={"name": "Fuzz", "ozon_webhook_secrets": ["whsec_fuzz_secret_0001"]},
            headers=ADMIN,
        )
        assert shop.status_code == 201, shop.text
        put = http.put(
            f"/api/v1/shops/{shop.json()['id']}/delivery-services/12",
            json={"params": DEFAULT_PARAMS},
            headers=ADMIN,
        )
        assert put.status_code == 201, put.text


def _needs_token(path: str) -> bool:
    return path.startswith("/api/") and not path.startswith("/api/v1/pickup-points")


def test_every_operation_survives_fuzzing_and_keeps_its_schema(served: str) -> None:
    _seed_shop(served)
    schema = schemathesis.openapi.from_url(f"{served}/openapi.json")
    started = time.monotonic()
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) > 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if time.monotonic() - started > BUDGET_SECONDS:
                break
            strategy = operation.as_strategy(generation_mode=mode)

            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: schemathesis.Case[Any]) -> None:
                case.call_and_validate(
                    base_url=served,
                    headers=ADMIN,
                    timeout=10,
                    checks=CHECKS,
                )

            try:
                run()
            except Unsatisfiable:
                pass  # no parameter to make invalid (GET /healthz in negative mode)
            except (Exception, BaseExceptionGroup) as exc:  # report every operation's failures
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)


def test_every_operation_that_needs_a_token_refuses_a_request_without_one(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as http:
        paths: dict[str, dict[str, Any]] = http.get("/openapi.json").json()["paths"]
        checked = 0
        for path, operations in paths.items():
            if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES) or not _needs_token(path):
                continue
            url = path
            for name in ("shop_id", "shipment_id", "return_id"):
                url = url.replace("{" + name + "}", "00000000-0000-4000-8000-000000000000")
            url = url.replace("{bitrix_delivery_id}", "12").replace("{message_id}", "1")
            for method in operations:
                for headers in ({}, {"Authorization": "Bearer not-a-token"}):
                    resp = http.request(method.upper(), url, json={}, headers=headers)
                    assert resp.status_code == 401, f"{method.upper()} {path}: {resp.status_code}"
                    assert resp.headers["content-type"] == "application/problem+json"
                checked += 1
    assert checked > 15


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        # What the fuzzing found once, kept as plain regressions.
        ("POST", "/api/v1/outbox/12966512134605393920/retry", None),
        ("GET", "/api/v1/returns?offset=26707572447293636608", None),
        ("GET", "/api/v1/shipments?bitrix_order_id=26707572447293636608", None),
        ("GET", "/api/v1/pickup-points/cities?q=ab%00c", None),
        ("GET", "/widget/pickup-points/cities?q=ab%00c", None),
        ("POST", "/api/v1/shops", {"name": "nul\u0000name"}),
    ],
)
async def test_odd_input_is_a_422_problem_not_a_server_error(
    client: httpx.AsyncClient, method: str, url: str, body: dict[str, Any] | None
) -> None:
    resp = await client.request(method, url, json=body, headers=ADMIN)
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"] == "application/problem+json"


async def test_a_body_that_is_not_utf8_is_a_documented_problem(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/shops",
        content=b"F\xff",
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert resp.status_code in (400, 422)
    assert resp.headers["content-type"] == "application/problem+json"
