"""`batch` as Bitrix's rest module runs it: up to 50 commands, `$result[...]` references, halt."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.sandbox.bitrix.jsonout import php_array
from app.sandbox.bitrix.params import Params
from app.sandbox.bitrix.phpquery import parse_php_query, php_bool, php_string

MAX_COMMANDS = 50
# Bitrix builds the pattern from its own result buckets: $result, $next, $total, $time, $error.
_REFERENCE = re.compile(r"\$(result|next|total|time|error)(\S*)")
_SEGMENT = re.compile(r"\[([^\]]+)\]")


@dataclass(frozen=True)
class SubCall:
    """One command's outcome: `error` set, or a result with its optional total/next and time."""

    result: object = None
    total: int | None = None
    next: int | None = None
    time: Mapping[str, object] | None = None
    error: Mapping[str, object] | None = None


# Runs one command: (method, params, command key) → outcome.
Executor = Callable[[str, dict[str, object], str], SubCall]


def run_batch(params: Params, execute: Executor) -> dict[str, object]:
    halt = php_bool(params.get("halt"))
    buckets: dict[str, dict[str, object]] = {
        "result": {},
        "next": {},
        "total": {},
        "time": {},
        "error": {},
    }
    for position, (key, command) in enumerate(_commands(params.get("cmd"))):
        if position >= MAX_COMMANDS:
            # Bitrix runs the first 50 and fails each command past them, still with HTTP 200.
            outcome = SubCall(
                error=_error("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")
            )
        elif not isinstance(command, str):
            continue
        else:
            method, _, query = command.partition("?")
            arguments = _resolve(parse_php_query(query), buckets)
            if method.lower() == "batch":
                outcome = SubCall(
                    error=_error(
                        "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"
                    )
                )
            else:
                outcome = execute(method, arguments, key)
        if outcome.error is not None:
            buckets["error"][key] = dict(outcome.error)
            if halt:
                break
            continue
        buckets["result"][key] = outcome.result
        if outcome.total is not None:
            buckets["total"][key] = outcome.total
        if outcome.next is not None:
            buckets["next"][key] = outcome.next
        if outcome.time is not None:
            buckets["time"][key] = dict(outcome.time)
    return {
        "result": php_array(buckets["result"]),
        "result_error": php_array(buckets["error"]),
        "result_total": php_array(buckets["total"]),
        "result_next": php_array(buckets["next"]),
        "result_time": php_array(buckets["time"]),
    }


def _commands(cmd: object) -> list[tuple[str, object]]:
    if isinstance(cmd, dict):
        return [(str(k), v) for k, v in cmd.items()]
    if isinstance(cmd, list):
        return [(str(i), v) for i, v in enumerate(cmd)]
    return []


def _error(code: str, description: str) -> dict[str, object]:
    return {"error": code, "error_description": description}


def _resolve(value: object, buckets: Mapping[str, Mapping[str, object]]) -> dict[str, object]:
    resolved = _resolve_value(value, buckets)
    return resolved if isinstance(resolved, dict) else {}


def _resolve_value(value: object, buckets: Mapping[str, Mapping[str, object]]) -> object:
    if isinstance(value, dict):
        return {k: _resolve_value(v, buckets) for k, v in value.items()}
    if isinstance(value, str):
        return _resolve_string(value, buckets)
    return value


def _resolve_string(text: str, buckets: Mapping[str, Mapping[str, object]]) -> object:
    """Bitrix's processBatchElement: a whole-value reference keeps its type, text is cast."""
    resolved: object = text
    for match in _REFERENCE.finditer(text):
        node: object = buckets[match.group(1)]
        for segment in _SEGMENT.findall(match.group(2)):
            child = _index(node, segment)
            if child is None:
                break  # as in PHP: an unresolvable path leaves the deepest value reached
            node = child
        if match.group(0) == text:
            resolved = node
        else:
            resolved = php_string(resolved).replace(match.group(0), php_string(node))
    return resolved


def _index(node: object, segment: str) -> object:
    if isinstance(node, Mapping):
        return node.get(segment)
    if isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
        return node[int(segment)]
    return None
