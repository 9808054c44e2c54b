"""One error shape for the whole API: RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain.carrier import (
    CarrierAuthError,
    CarrierConflict,
    CarrierError,
    CarrierNotFound,
    CarrierUnavailableError,
    CarrierValidationError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger(__name__)


class ValidationItem(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    request_id: str | None = None
    errors: list[ValidationItem] | None = None


class BridgeError(Exception):
    """Base of every error the API answers deliberately; subclasses fix status and title."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def to_problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://ozon-bridge.dev/problems/{self.type_slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        body.update(self.extra)
        return body


class Unauthorized(BridgeError):
    status, title, type_slug = 401, "Unauthorized", "unauthorized"


class Forbidden(BridgeError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class NotFound(BridgeError):
    status, title, type_slug = 404, "Not found", "not-found"


class Conflict(BridgeError):
    status, title, type_slug = 409, "Conflict", "conflict"


class ShipmentBusy(BridgeError):
    """Other requests kept changing the shipment while this one tried: nothing was changed."""

    status, title, type_slug = 503, "Shipment busy", "shipment-busy"


class PayloadTooLarge(BridgeError):
    status, title, type_slug = 413, "Payload too large", "payload-too-large"


class InvalidInput(BridgeError):
    status, title, type_slug = 422, "Invalid input", "invalid-input"

    def __init__(self, detail: str, *, loc: list[str | int] | None = None, **extra: Any) -> None:
        if loc is not None:
            extra.setdefault("errors", [{"loc": loc, "msg": detail}])
        super().__init__(detail, **extra)


class CarrierRejected(BridgeError):
    """Ozon refused our request as invalid; its details are passed on."""

    status, title, type_slug = 422, "Rejected by Ozon Rocket", "carrier-rejected"


class CarrierUnavailable(BridgeError):
    status, title, type_slug = 503, "Ozon Rocket unavailable", "carrier-unavailable"


class CarrierMisconfigured(BridgeError):
    """The delivery service's Ozon credentials or warehouse are not accepted by Ozon."""

    status, title, type_slug = (
        424,
        "Ozon Rocket refused the delivery service's settings",
        "carrier-settings",
    )


class CarrierBadAnswer(BridgeError):
    """Ozon answered with an error the contract does not name (an unexpected 4xx)."""

    status, title, type_slug = 502, "Unexpected answer from Ozon Rocket", "carrier-bad-answer"


def carrier_problem(
    exc: CarrierError,
    *,
    subject: str = "the request",
    unavailable: str = "Ozon Rocket did not answer; try again in a minute.",
) -> BridgeError:
    """The one translation of a carrier adapter's error into the problem the API answers.

    `subject` names what Ozon refused ("the shipment"); `unavailable` is the detail for a
    transient failure, which differs by what the caller may safely do next.
    """
    if isinstance(exc, CarrierValidationError):
        return CarrierRejected(
            f"Ozon Rocket rejected {subject}: {exc.message}",
            ozon_error_code=exc.error_code,
            ozon_details=exc.details,
        )
    if isinstance(exc, CarrierNotFound) and exc.error_code == "ORDER_NOT_FOUND":
        return NotFound(
            f"Ozon Rocket does not know the order ({exc.message}): check that the delivery "
            "service's SELLER_ID is the one the shipment was created with.",
            ozon_error_code=exc.error_code,
        )
    if isinstance(exc, CarrierAuthError | CarrierNotFound):
        return CarrierMisconfigured(
            "Ozon Rocket refused this delivery service's OZON_API_KEY, SELLER_ID or "
            f"DEFAULT_WAREHOUSE_ID ({exc.error_code or 'error'}): {exc.message}",
            ozon_error_code=exc.error_code,
        )
    if isinstance(exc, CarrierConflict):
        return Conflict(
            f"Ozon Rocket refused {subject}: {exc.message}", ozon_error_code=exc.error_code
        )
    if isinstance(exc, CarrierUnavailableError):
        return CarrierUnavailable(unavailable)
    code = f" {exc.error_code}" if exc.error_code else ""
    return CarrierBadAnswer(
        f"Ozon Rocket answered {subject} with HTTP {exc.status or '?'}{code} ({exc.message}): "
        "try again later; if it persists, quote the request id to the operator.",
        ozon_error_code=exc.error_code,
    )


class BitrixRefused(BridgeError):
    """The shop's Bitrix answered, but refused (bad webhook URL, missing rights)."""

    status, title, type_slug = 424, "Refused by the shop's Bitrix", "bitrix-refused"


class BitrixDown(BridgeError):
    status, title, type_slug = 503, "The shop's Bitrix is unavailable", "bitrix-unavailable"


def problem_response(
    body: dict[str, Any], request: Request, headers: dict[str, str] | None = None
) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body.setdefault("request_id", request_id)
    headers = dict(headers or {})
    if request_id:
        headers["X-Request-Id"] = request_id
    return JSONResponse(
        body, status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _loc(raw: tuple[Any, ...] | list[Any]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in raw]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BridgeError)
    async def bridge_error(request: Request, exc: BridgeError) -> JSONResponse:
        return problem_response(exc.to_problem(), request)

    # A carrier error a caller did not translate itself still answers as a problem, never 500.
    @app.exception_handler(CarrierError)
    async def carrier_error(request: Request, exc: CarrierError) -> JSONResponse:
        return problem_response(carrier_problem(exc).to_problem(), request)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": _loc(err.get("loc", ())), "msg": str(err.get("msg", "invalid"))}
            for err in exc.errors()
        ]
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors[:5])
        body = {
            "type": "https://ozon-bridge.dev/problems/invalid-input",
            "title": "Invalid input",
            "status": 422,
            "detail": f"The request has invalid fields: {fields}",
            "errors": errors,
        }
        return problem_response(body, request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = {
            "type": "about:blank",
            "title": str(exc.detail) if exc.status_code < 500 else "Server error",
            "status": exc.status_code,
            "detail": str(exc.detail),
        }
        return problem_response(body, request)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        return await _database_problem(
            request, exc, getattr(exc.orig, "sqlstate", None), lost=exc.connection_invalidated
        )

    # The hot paths' hand-written SQL runs on asyncpg directly (db.asyncpg_connection).
    @app.exception_handler(asyncpg.PostgresError)
    async def asyncpg_error(request: Request, exc: asyncpg.PostgresError) -> JSONResponse:
        return await _database_problem(request, exc, getattr(exc, "sqlstate", None), lost=False)

    # ConnectionError: the database refused or reset the connection before SQLAlchemy could
    # wrap it (a checkout's connect); every outside HTTP call wraps its own in httpx errors.
    @app.exception_handler(ConnectionError)
    @app.exception_handler(asyncpg.InternalClientError)
    @app.exception_handler(asyncpg.InterfaceError)
    @app.exception_handler(asyncpg.PostgresConnectionError)
    async def asyncpg_connection_lost(request: Request, exc: Exception) -> JSONResponse:
        return await _database_problem(request, exc, None, lost=True)

    async def _database_problem(
        request: Request, exc: Exception, sqlstate: object, *, lost: bool
    ) -> JSONResponse:
        # SQLSTATE class 22 (data exception): the input itself is unusable, e.g. a NUL
        # character in a text or a number out of a column's range: the caller's to fix.
        if str(sqlstate or "").startswith("22"):
            body = {
                "type": "https://ozon-bridge.dev/problems/invalid-input",
                "title": "Invalid input",
                "status": 422,
                "detail": "A value cannot be stored or searched for: no NUL characters in "
                "texts, numbers within range.",
            }
            return problem_response(body, request)
        # A connection the server dropped (a restart, a failover): nothing was committed,
        # the next attempt gets a fresh connection.
        if lost or str(sqlstate or "").startswith(("08", "57P")):
            log.warning("database_unavailable", error_type=type(exc).__name__)
            body = {
                "type": "https://ozon-bridge.dev/problems/database-unavailable",
                "title": "Database unavailable",
                "status": 503,
                "detail": "The bridge lost its database connection; nothing was changed. "
                "Retry in a few seconds.",
            }
            return problem_response(body, request, headers={"Retry-After": "5"})
        return await unexpected_error(request, exc)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        # The trace goes to the log (redacted), never to the client.
        log.exception("unhandled_error", error_type=type(exc).__name__)
        body = {
            "type": "https://ozon-bridge.dev/problems/internal",
            "title": "Internal error",
            "status": 500,
            "detail": "The bridge failed unexpectedly; quote the request id to the operator.",
        }
        return problem_response(body, request)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": desc}
    for code, desc in {
        400: "The body could not be read (not UTF-8 JSON)",
        401: "Missing or wrong bearer token",
        404: "Not found, or not visible to this token",
        422: "Invalid input; `errors` names each field",
    }.items()
}
