"""Calculate bodies validated once per distinct bytes: a checkout sends the same ones again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cachetools import LRUCache
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.calculate.schemas import CalculateRequest
from app.schemas import json_body_errors

if TYPE_CHECKING:
    from app.calculate.service import QuoteKey
    from app.domain.carrier import QuoteRequest

# Larger bodies (many packages) are validated every time: the memo stays a few MB at most.
_MEMO_MAX_BYTES = 4096


@dataclass
class ParsedBody:
    """A validated body, and its request to Ozon as last worked out (for which settings)."""

    body: CalculateRequest
    # (delivery service id, settings version), the request, its cache key: see
    # service.prepared_quote.
    quote: tuple[tuple[object, int], QuoteRequest, QuoteKey] | None = None


class ValidatedBodies:
    """Validation is a function of the bytes alone, so the same bytes need it once.

    Who may use the body (the token's shop) is checked on every request, after this.
    """

    def __init__(self, maxsize: int = 4096) -> None:
        self._bodies: LRUCache[bytes, ParsedBody] = LRUCache(maxsize=maxsize)

    def parse(self, raw: bytes) -> ParsedBody:
        """The body as a CalculateRequest, or a 422 naming the fields, as FastAPI would."""
        parsed = self._bodies.get(raw)
        if parsed is None:
            try:
                parsed = ParsedBody(CalculateRequest.model_validate_json(raw))
            except ValidationError as exc:
                raise RequestValidationError(json_body_errors(exc)) from None
            if len(raw) <= _MEMO_MAX_BYTES:
                self._bodies[raw] = parsed
        return parsed
