"""The emulator's JSON: money as numbers with exactly two decimals, times with an offset."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from json.encoder import encode_basestring
from typing import TypeAlias

from starlette.responses import Response

from app.domain.money import money

# Mapping and Sequence (not dict and list) so that a list[dict[str, Json]] is a Json too.
Json: TypeAlias = "Mapping[str, Json] | Sequence[Json] | str | int | float | bool | Decimal | None"

# Ozon answers in Moscow time; an offset other than Z keeps clients' time parsing honest.
MOSCOW = timezone(timedelta(hours=3), "MSK")


def format_time(moment: datetime) -> str:
    """RFC 3339 in Moscow time with milliseconds: '2025-12-03T13:00:00.000+03:00'."""
    return moment.astimezone(MOSCOW).isoformat(timespec="milliseconds")


def render_json(value: Json) -> bytes:
    """Compact UTF-8 JSON in which a Decimal is written as a number with two decimals.

    The standard encoder can only write a Decimal as a string or through float; this writer is
    deliberately separate from the client's (app.ozon.wire) so one bug cannot hide on both sides.
    """
    parts: list[str] = []
    _emit(value, parts)
    return "".join(parts).encode("utf-8")


def _emit(value: Json, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, bool):  # before int: a bool is an int
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("money must be finite")
        out.append(format(money(value), "f"))
    elif isinstance(value, float):  # coordinates
        if not math.isfinite(value):
            raise ValueError("JSON has no NaN or infinity")
        out.append(repr(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(encode_basestring(key))
            out.append(":")
            _emit(item, out)
        out.append("}")
    else:
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _emit(item, out)
        out.append("]")


def json_response(
    body: Json, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        render_json(body), status_code=status_code, headers=headers, media_type="application/json"
    )
