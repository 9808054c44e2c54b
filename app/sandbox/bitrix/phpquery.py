"""PHP's query-string semantics (parse_str, string casts, bool casts), as Bitrix applies them."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import unquote_plus

# What parse_str builds: nested dicts keyed by strings (PHP arrays), leaves are strings.
PhpArray = dict[str, object]


def parse_php_query(query: str) -> PhpArray:
    """`fields[statusId]=DF&lines[][basketId]=7` → nested dicts, like PHP's parse_str."""
    result: PhpArray = {}
    for pair in query.split("&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        key = unquote_plus(raw_key)
        value = unquote_plus(raw_value)
        base, path = _split_key(key)
        if not base:
            continue
        _assign(result, [base, *path], value)
    return result


def _split_key(key: str) -> tuple[str, list[str | None]]:
    """Split `a[b][]` into ('a', ['b', None]); None is PHP's append (`[]`)."""
    bracket = key.find("[")
    if bracket <= 0 or not key.endswith("]"):
        return _mangle(key), []
    base = _mangle(key[:bracket])
    path: list[str | None] = []
    rest = key[bracket:]
    while rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            break
        segment = rest[1:end]
        path.append(segment if segment else None)
        rest = rest[end + 1 :]
    return base, path


def _mangle(name: str) -> str:
    # PHP turns dots and spaces in a top-level variable name into underscores.
    return name.strip().replace(".", "_").replace(" ", "_")


def _assign(target: PhpArray, path: list[str | None], value: str) -> None:
    node = target
    for position, segment in enumerate(path):
        key = _next_index(node) if segment is None else segment
        if position == len(path) - 1:
            node[key] = value
            return
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child


def _next_index(node: PhpArray) -> str:
    indexes = [int(k) for k in node if k.lstrip("-").isdigit()]
    return str(max(indexes) + 1 if indexes else 0)


def php_bool(value: object) -> bool:
    """PHP's (bool) cast: "0", "", 0, null and [] are false; the string "false" is true."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value not in ("", "0")
    if isinstance(value, int | Decimal | float):
        return value != 0
    if isinstance(value, dict | list):
        return len(value) > 0
    return True


def php_string(value: object) -> str:
    """PHP's string cast, as str_replace applies it when a batch reference sits inside text."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict | list):
        return "Array"
    return str(value)
