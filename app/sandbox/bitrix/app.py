"""The FastAPI app of the Bitrix sandbox: inbound-webhook REST URLs plus the control endpoints."""

from __future__ import annotations

import json
from decimal import Decimal

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError

from app.sandbox.bitrix.config import BitrixSandboxConfig
from app.sandbox.bitrix.control import SandboxDep
from app.sandbox.bitrix.control import router as control_router
from app.sandbox.bitrix.dispatch import Reply, handle_call
from app.sandbox.bitrix.errors import no_auth_found
from app.sandbox.bitrix.jsonout import BitrixJSONResponse
from app.sandbox.bitrix.phpquery import parse_php_query
from app.sandbox.bitrix.seed import SeedError
from app.sandbox.bitrix.state import BitrixSandbox, UnknownEntity

rest_router = APIRouter(tags=["bitrix rest"])


async def read_params(request: Request) -> dict[str, object]:
    """Query string, then a JSON or form-encoded body on top, as Bitrix merges $_GET and $_POST."""
    params: dict[str, object] = dict(parse_php_query(request.url.query))
    body = await request.body()
    if not body:
        return params
    content_type = request.headers.get("content-type", "")
    if "x-www-form-urlencoded" in content_type:
        params.update(parse_php_query(body.decode("utf-8", "replace")))
    elif "json" in content_type or body.lstrip().startswith(b"{"):
        try:
            # Decimal keeps 349.90 exact on its way into money fields.
            data = json.loads(body, parse_float=Decimal)
        except ValueError:
            data = None  # Bitrix ignores a body it cannot read; the method then misses params
        if isinstance(data, dict):
            params.update({str(k): v for k, v in data.items()})
    return params


def _response(reply: Reply) -> Response:
    if reply.html is not None:
        return HTMLResponse(reply.html, status_code=reply.status)
    return BitrixJSONResponse(reply.body, status_code=reply.status)


@rest_router.api_route("/rest/{user_id}/{secret}/{method}", methods=["GET", "POST"])
async def webhook_call(
    user_id: str, secret: str, method: str, request: Request, sandbox: SandboxDep
) -> Response:
    params = await read_params(request)
    return _response(await handle_call(sandbox, user_id, secret, method, params))


@rest_router.api_route("/rest/{method}", methods=["GET", "POST"])
async def oauth_call(method: str) -> Response:
    # OAuth applications are not emulated: a call without a webhook in the path has no auth.
    error = no_auth_found()
    return BitrixJSONResponse(error.body(), status_code=error.status)


def create_bitrix_sandbox(config: BitrixSandboxConfig | None = None) -> FastAPI:
    """A fresh emulator; its state (a BitrixSandbox) is at `app.state.bitrix`."""
    app = FastAPI(title="Bitrix REST sandbox", version="1")
    app.state.bitrix = BitrixSandbox(config)
    app.include_router(rest_router)
    app.include_router(control_router)

    @app.exception_handler(UnknownEntity)
    async def unknown_entity(request: Request, exc: UnknownEntity) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(SeedError)
    async def bad_seed(request: Request, exc: SeedError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(ValidationError)
    async def bad_options(request: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.errors(include_url=False, include_context=False)}, status_code=422
        )

    @app.exception_handler(ValueError)
    async def conflict(request: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    return app
