"""JSON as PHP's json_encode writes it: Decimals as plain numbers, empty arrays as `[]`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from starlette.responses import Response


def to_jsonable(value: object) -> object:
    """Money and quantities are Decimal inside; Bitrix sends them as JSON numbers (PHP doubles)."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def php_array(entries: Mapping[str, object]) -> object:
    """A PHP array keyed by batch command keys: `[]` when empty, a list when keyed 0..n-1."""
    if not entries:
        return []
    keys = list(entries)
    if keys == [str(i) for i in range(len(keys))]:
        return list(entries.values())
    return dict(entries)


class BitrixJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: object) -> bytes:
        return json.dumps(to_jsonable(content), ensure_ascii=False).encode("utf-8")
