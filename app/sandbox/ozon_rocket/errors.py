"""Ozon's error shape `{"error_code", "message", "details"}` and the handlers that always use it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.sandbox.ozon_rocket.wire import Json, json_response

Details = dict[str, list[str]]

# What a status means when nothing more specific is known (faults, unknown paths).
DEFAULT_ERROR_CODES: dict[int, str] = {
    400: "VALIDATION_ERROR",
    401: "TOKEN_EXPIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "UNAVAILABLE",
}


def default_error_code(status: int) -> str:
    return DEFAULT_ERROR_CODES.get(status, "INTERNAL" if status >= 500 else "ERROR")


class SandboxError(Exception):
    """An answer the emulator gives on purpose, in the contract's error shape."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        *,
        details: Details | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Json] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.details = details or {}
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def response(self) -> Response:
        return error_response(
            self.status, self.error_code, self.message, self.details, self.headers, self.extra
        )


def error_response(
    status: int,
    error_code: str,
    message: str,
    details: Details | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Json] | None = None,
) -> Response:
    body: dict[str, Json] = {
        "error_code": error_code,
        "message": message,
        "details": {key: list(values) for key, values in (details or {}).items()},
    }
    body.update(extra or {})
    return json_response(body, status, dict(headers or {}))


def validation_error(
    details: Details, message: str = "The request has invalid fields"
) -> SandboxError:
    return SandboxError(400, "VALIDATION_ERROR", message, details=details)


def field_path(loc: Sequence[int | str]) -> str:
    """('packages', 0, 'weight') -> 'packages[0].weight', the key style of `details`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "body"


_MESSAGES: dict[str, str] = {
    "missing": "is required",
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "string_type": "must be a string",
    "bool_type": "must be a boolean",
    "bool_parsing": "must be a boolean",
    "literal_error": "must be one of: {expected}",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "too_short": "must have at least {min_length} item(s)",
    "too_long": "must have at most {max_length} items",
    "decimal_max_places": "must have at most {decimal_places} decimal places",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be an array",
}


def details_from_errors(
    errors: Sequence[Mapping[str, Any]], *, strip_body: bool = False
) -> Details:
    """Pydantic's errors as `details`: short messages keyed by the failing field's path."""
    details: Details = {}
    for error in errors:
        if error.get("type") == "json_invalid":  # its loc is a character offset, not a field
            details.setdefault("body", []).append("must be a valid JSON document")
            continue
        loc = list(error.get("loc", ()))
        if strip_body and loc[:1] == ["body"]:
            loc = loc[1:]
        template = _MESSAGES.get(str(error.get("type")))
        context = error.get("ctx") or {}
        try:
            message = template.format(**context) if template else str(error.get("msg"))
        except KeyError:
            message = str(error.get("msg"))
        details.setdefault(field_path(loc), []).append(message)
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SandboxError)
    async def sandbox_error(_: Request, exc: SandboxError) -> Response:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> Response:
        details = details_from_errors(exc.errors(), strip_body=True)
        return validation_error(details).response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        return error_response(
            exc.status_code,
            default_error_code(exc.status_code),
            str(exc.detail),
            headers=exc.headers,
        )
