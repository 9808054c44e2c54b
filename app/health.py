"""/healthz (no I/O), /readyz (database reachable, migrations at head) and /metrics."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from app.deps import RuntimeDep

router = APIRouter(tags=["operations"])

_ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


@lru_cache(maxsize=1)
def migration_head() -> str | None:
    return ScriptDirectory.from_config(Config(str(_ALEMBIC_INI))).get_current_head()


@router.get("/healthz", summary="The process is alive (no I/O)")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Ready: database reachable and migrated to head",
    responses={503: {"description": "Not ready"}},
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    head = migration_head()
    try:
        async with runtime.engine.connect() as conn:
            migrated = await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
            current = (
                await conn.scalar(text("SELECT version_num FROM alembic_version"))
                if migrated
                else None
            )
    except Exception as exc:  # any failure here means "not ready", and says why
        return JSONResponse(
            {"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"},
            status_code=503,
        )
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "migrations": {"current": current, "head": head}},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "migrations": {"current": current, "head": head}})


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "The metrics"}},
)
async def metrics(runtime: RuntimeDep) -> Response:
    """Requests by route template, Ozon calls, webhook rejections; the outbox and the
    pickup-point sync read from the database at each scrape (one query each)."""
    body = await runtime.metrics.render(runtime.engine)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
