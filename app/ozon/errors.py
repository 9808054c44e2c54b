"""Ozon Rocket error answers turned into the carrier port's domain errors."""

from __future__ import annotations

import math

import httpx
from pydantic import ValidationError

from app.domain.carrier import (
    CarrierAuthError,
    CarrierConflict,
    CarrierError,
    CarrierNotFound,
    CarrierUnavailableError,
    CarrierValidationError,
)
from app.ozon.wire import ErrorWire, decode_json

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class OzonTransientError(CarrierUnavailableError):
    """A failure another attempt may cure: 429, 5xx, transport errors, an unreadable answer.

    It stays a CarrierUnavailableError, so the last one escaping the retries needs no wrapping.
    """

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, error_code=error_code, status=status, request_id=request_id)
        # Read by app.retry as the wait the carrier asked for.
        self.retry_after = retry_after


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, OzonTransientError)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the contract's form); an HTTP-date or junk means 'no hint'."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def read_error(response: httpx.Response) -> ErrorWire:
    """The error body, or an empty one when the body is HTML, truncated or otherwise not ours."""
    try:
        data = decode_json(response.content)
        return ErrorWire.model_validate(data) if isinstance(data, dict) else ErrorWire()
    except (ValueError, ValidationError):
        return ErrorWire()


def error_for(response: httpx.Response) -> CarrierError:
    """The domain error for a non-2xx answer."""
    status = response.status_code
    body = read_error(response)
    request_id = response.headers.get("X-Request-Id")
    message = body.message or f"Ozon Rocket answered HTTP {status}"
    code = body.error_code
    if status in (400, 422):
        return CarrierValidationError(
            message,
            error_code=code,
            status=status,
            details=body.details_map(),
            request_id=request_id,
        )
    if status in (401, 403):
        return CarrierAuthError(message, error_code=code, status=status, request_id=request_id)
    if status == 404:
        return CarrierNotFound(message, error_code=code, status=status, request_id=request_id)
    if status == 409:
        return CarrierConflict(
            message,
            error_code=code,
            status=status,
            request_id=request_id,
            existing_order_id=body.order_id,
        )
    if status in TRANSIENT_STATUSES:
        return OzonTransientError(
            message,
            error_code=code,
            status=status,
            request_id=request_id,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        # 501, 505 and the like will not heal by asking again.
        return CarrierUnavailableError(
            message, error_code=code, status=status, request_id=request_id
        )
    return CarrierError(message, error_code=code, status=status, request_id=request_id)
