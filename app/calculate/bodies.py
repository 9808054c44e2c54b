"""Calculate bodies validated once per distinct bytes: a checkout sends the same ones again."""

from __future__ import annotations

from cachetools import LRUCache
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.calculate.schemas import CalculateRequest
from app.schemas import json_body_errors

# Larger bodies (many packages) are validated every time: the memo stays a few MB at most.
_MEMO_MAX_BYTES = 4096


class ValidatedBodies:
    """Validation is a function of the bytes alone, so the same bytes need it once.

    Who may use the body (the token's shop) is checked on every request, after this.
    """

    def __init__(self, maxsize: int = 4096) -> None:
        self._bodies: LRUCache[bytes, CalculateRequest] = LRUCache(maxsize=maxsize)

    def parse(self, raw: bytes) -> CalculateRequest:
        """The body as a CalculateRequest, or a 422 naming the fields, as FastAPI would."""
        body = self._bodies.get(raw)
        if body is None:
            try:
                body = CalculateRequest.model_validate_json(raw)
            except ValidationError as exc:
                raise RequestValidationError(json_body_errors(exc)) from None
            if len(raw) <= _MEMO_MAX_BYTES:
                self._bodies[raw] = body
        return body
