"""Bitrix list semantics: filter with prefixed keys, select, order, and pages of 50 via `start`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal

from app.sandbox.bitrix.context import CallContext, MethodResult
from app.sandbox.bitrix.params import Params, as_list, optional_mapping, to_decimal, to_int

Row = dict[str, object]
_PREFIX = re.compile(r"^(>=|<=|!=|!@|>|<|=|!|@)?(.+)$")


def list_page(ctx: CallContext, params: Params, rows: list[Row], key: str) -> MethodResult:
    selected = [row for row in rows if _matches(row, optional_mapping(params, "filter"))]
    for name, direction in reversed(list(optional_mapping(params, "order").items())):
        descending = str(direction).lower() == "desc"
        selected.sort(key=_sort_key(name), reverse=descending)
    start = max(to_int(params.get("start")) or 0, 0)
    page = selected[start : start + ctx.page_size]
    fields = [str(f) for f in as_list(params.get("select"))]
    if fields:
        page = [{f: row[f] for f in fields if f in row} for row in page]
    following = start + ctx.page_size
    return MethodResult(
        {key: page},
        total=len(selected),
        next=following if following < len(selected) else None,
    )


def _matches(row: Mapping[str, object], conditions: Mapping[str, object]) -> bool:
    for raw_key, expected in conditions.items():
        match = _PREFIX.match(raw_key)
        if match is None:
            continue
        op, name = match.group(1) or "=", match.group(2)
        if not _compare(op, row.get(name), expected):
            return False
    return True


def _compare(op: str, actual: object, expected: object) -> bool:
    if op in ("@", "!@"):
        found = any(_equal(actual, candidate) for candidate in as_list(expected))
        return found if op == "@" else not found
    if op in ("=", "!", "!="):
        equal = (
            any(_equal(actual, e) for e in as_list(expected))
            if isinstance(expected, list | dict)
            else _equal(actual, expected)
        )
        return equal if op == "=" else not equal
    left, right = to_decimal(actual), to_decimal(expected)
    if left is None or right is None:
        return False
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def _equal(actual: object, expected: object) -> bool:
    left, right = to_decimal(actual), to_decimal(expected)
    if left is not None and right is not None:
        return left == right
    return str(actual) == str(expected)


def _sort_key(name: str) -> Callable[[Row], tuple[int, Decimal, str]]:
    def key(row: Row) -> tuple[int, Decimal, str]:
        value = row.get(name)
        number = to_decimal(value)
        return (0, number, "") if number is not None else (1, Decimal(0), str(value))

    return key
