"""The shop port over Bitrix REST: webhook calls and batches, failures sorted into port errors."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final
from urllib.parse import quote

import httpx
import structlog

from app.bitrix.port import (
    THROTTLE_CODES,
    BatchOutcome,
    BitrixError,
    BitrixRejected,
    BitrixThrottled,
    BitrixUnavailable,
    Command,
    CommandError,
)
from app.config import Settings

MAX_BATCH_COMMANDS: Final = 50
# Bitrix's per-method operating window: no OPERATION_TIME_LIMIT block outlasts it.
OPERATING_WINDOW_SECONDS: Final = 600.0

_METHOD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*")
# Keys end up inside `$result[key][...]` references, which stop at `]` and whitespace.
_BATCH_KEY = re.compile(r"[A-Za-z0-9_.:-]+")
_WEBHOOK_SECRET = re.compile(r"^/rest/[^/]+/([^/]+)")
_TITLE = re.compile(r"<title>([^<]{1,200})</title>", re.IGNORECASE)
# A 5xx that no retry mends: the portal is gone.
_FINAL_CODES: Final = frozenset({"PORTAL_DELETED"})
_HEADERS: Final = {"Content-Type": "application/json; charset=utf-8"}

Clock = Callable[[], float]


# --- encoding ---------------------------------------------------------------------------------


def php_query(params: Mapping[str, Any]) -> str:
    """`{"fields": {"statusId": "OT"}}` → `fields[statusId]=OT`: a batch command's query string.

    Leaves are str, int and Decimal (plain notation with its own decimals: 349.90 stays
    "349.90"). None is left out, as PHP's http_build_query does: a query string has no null.
    bool and float are refused: Bitrix's flags are the strings "Y"/"N" (a True would arrive as
    "1"), and money never passes through float. Lists get explicit indexes (`lines[0][basketId]`)
    so each entry's fields stay together. Brackets in keys and `$`/brackets in values are left
    readable; Bitrix substitutes `$result[...]` after decoding, so either spelling would work.
    """
    pairs: list[str] = []
    for key, value in params.items():
        _flatten(_key_segment(key), value, pairs)
    return "&".join(pairs)


def _flatten(name: str, value: object, pairs: list[str]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, child in value.items():
            _flatten(f"{name}[{_key_segment(key)}]", child, pairs)
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            _flatten(f"{name}[{index}]", child, pairs)
    else:
        pairs.append(f"{name}={quote(_scalar_text(value), safe='$[]')}")


def _key_segment(key: object) -> str:
    text = str(key)
    if not text or "[" in text or "]" in text:
        # PHP decodes a key before reading its brackets, so no encoding could protect them.
        raise ValueError(f"a Bitrix parameter name cannot be empty or hold brackets: {text!r}")
    return quote(text, safe="")


def _scalar_text(value: object) -> str:
    if isinstance(value, bool | float):
        raise TypeError(f"send {type(value).__name__} to Bitrix as 'Y'/'N' or Decimal instead")
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    raise TypeError(f"cannot send a {type(value).__name__} to Bitrix")


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError("a number sent to Bitrix must be finite")
    return format(value, "f")


def encode_json(value: object) -> bytes:
    """A direct call's JSON body, under php_query's rules, with Decimals written as numbers.

    json.dumps can write a Decimal as a number only through float; None here is JSON null.
    """
    return _json_text(value).encode()


def _json_text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        items = (
            f"{json.dumps(str(k), ensure_ascii=False)}:{_json_text(v)}" for k, v in value.items()
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json_text(item) for item in value) + "]"
    text = _scalar_text(value)
    return json.dumps(text, ensure_ascii=False) if isinstance(value, str) else text


def command_string(command: Command) -> str:
    """`sale.shipment.get?id=5`: one batch command as Bitrix's batch reads it."""
    _check_method(command.method)
    if command.method.lower() == "batch":
        raise ValueError("Bitrix does not run a batch inside a batch")
    query = php_query(command.params)
    return f"{command.method}?{query}" if query else command.method


def _check_method(method: str) -> None:
    # The name becomes part of the URL path: nothing in it may change which path is called.
    if not _METHOD.fullmatch(method):
        raise ValueError(f"not a Bitrix method name: {method!r}")


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    """A list method's answer: `result`, and `next` (the `start` of the following page) if any."""

    result: object
    next: int | None
    total: int | None


@dataclass(frozen=True)
class _Endpoint:
    url: httpx.URL
    host: str
    secret: str


@dataclass(frozen=True)
class _Answer:
    status: int
    # None when the body is not a JSON object: a web server's HTML page, a cut-off body.
    body: dict[str, Any] | None
    page_title: str | None

    @property
    def error_code(self) -> str | None:
        # `"error" in body`, not its truthiness: Bitrix's "other error" code is the number 0.
        if self.body is None or "error" not in self.body:
            return None
        return str(self.body["error"])

    @property
    def description(self) -> str:
        if self.body is not None and "error_description" in self.body:
            return str(self.body["error_description"])
        if self.page_title:
            return self.page_title
        return f"HTTP {self.status} without a Bitrix answer"

    @property
    def bitrix_duration(self) -> float | None:
        timing = self.body.get("time") if self.body is not None else None
        duration = timing.get("duration") if isinstance(timing, dict) else None
        return float(duration) if isinstance(duration, int | Decimal) else None


def _read_answer(response: httpx.Response) -> _Answer:
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError:
        body = None
    if isinstance(body, dict):
        return _Answer(response.status_code, body, None)
    title = _TITLE.search(response.text[:4096])
    return _Answer(response.status_code, None, title.group(1).strip() if title else None)


def _batch_outcome(body: Mapping[str, Any]) -> BatchOutcome:
    inner = body.get("result")
    if not isinstance(inner, Mapping):
        raise BitrixUnavailable("BAD_RESPONSE", "a batch answer without its result map")
    errors = _php_map(inner.get("result_error"))
    return BatchOutcome(
        results=_php_map(inner.get("result")),
        errors={key: _command_error(error) for key, error in errors.items()},
    )


def _php_map(value: object) -> dict[str, Any]:
    """A PHP array keyed by command keys: `[]` when empty, a JSON list when keyed "0".."n-1"."""
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    if isinstance(value, list):
        return {str(index): item for index, item in enumerate(value)}
    return {}


def _command_error(error: object) -> CommandError:
    if not isinstance(error, Mapping) or "error" not in error:
        return CommandError("UNKNOWN", str(error))
    return CommandError(str(error["error"]), str(error.get("error_description", "")))


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- the client -------------------------------------------------------------------------------


def build_bitrix_http_client(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one pooled client per process for every shop's Bitrix; the lifespan closes it.

    `transport` mounts the Bitrix sandbox in-process for the demo and tests.
    """
    connect = settings.bitrix_connect_timeout
    read = settings.bitrix_read_timeout
    # Waiting for a free pooled connection is as bad as a slow connect.
    timeout = httpx.Timeout(connect=connect, read=read, write=read, pool=connect)
    # Sized by how many shops talk at once: no single shop takes more than 2 requests a second.
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=50, keepalive_expiry=30.0)
    return httpx.AsyncClient(
        timeout=timeout,
        limits=limits,
        transport=transport,
        # A redirect would carry the secret to wherever it points; a moved shop is an admin's job.
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": "ozon-rocket-bridge"},
    )


class BitrixRestClient:
    """The port's BitrixClient over a shop's inbound webhook (shared/contracts/bitrix-rest.md).

    It neither retries nor rate-limits: the outbox owns retries, the shop-wide pause and the
    shared leaky bucket, and needs each failure as it happened. `rest_url` is a secret: only
    its host is ever logged.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        call_deadline: float = 15.0,
        query_limit_wait: float = 5.0,
        overload_wait: float = 30.0,
        operating_limit_wait: float = 60.0,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
    ) -> None:
        self._http = http
        # httpx's timeouts are per phase and an in-process transport has none: this bounds it all.
        self._call_deadline = call_deadline
        # Bitrix drains 2 requests/s: a few seconds frees room for the next batch.
        self._query_limit_wait = query_limit_wait
        self._overload_wait = overload_wait
        self._operating_limit_wait = operating_limit_wait
        self._clock = clock
        self._wall_clock = wall_clock
        # Per instance, not per module: a logger cached under an old structlog configuration
        # would keep writing through processors nobody looks at any more.
        self._log = structlog.get_logger(__name__)

    async def call(self, rest_url: str, method: str, params: Mapping[str, Any]) -> Any:
        """One method outside a batch; its `result`, or a BitrixError."""
        body = await self._request(rest_url, method, params)
        return body.get("result")

    async def list_page(self, rest_url: str, method: str, params: Mapping[str, Any]) -> ListPage:
        """One page of a list method (`sale.status.list`): pass `start=page.next` for the next."""
        body = await self._request(rest_url, method, params)
        return ListPage(
            result=body.get("result"),
            next=_optional_int(body.get("next")),
            total=_optional_int(body.get("total")),
        )

    async def batch(
        self, rest_url: str, commands: Mapping[str, Command], *, halt: bool = False
    ) -> BatchOutcome:
        """Up to 50 commands in one request; each command's error comes back in `errors`.

        With `halt`, commands after the first failing one do not run and appear in neither map.
        """
        if len(commands) > MAX_BATCH_COMMANDS:
            raise ValueError(f"a batch holds at most {MAX_BATCH_COMMANDS} commands")
        if not commands:
            return BatchOutcome()
        cmd = {_batch_key(key): command_string(command) for key, command in commands.items()}
        body = await self._request(
            rest_url, "batch", {"halt": int(halt), "cmd": cmd}, commands=len(cmd)
        )
        outcome = _batch_outcome(body)
        throttled = next((e for e in outcome.errors.values() if e.code in THROTTLE_CODES), None)
        if throttled is None:
            return outcome
        # No `time` comes back for a refused command: its wait is the configured one.
        wait = self._throttle_wait(throttled.code, _Answer(429, None, None))
        return dataclasses.replace(
            outcome,
            throttled=BitrixThrottled(
                throttled.code, throttled.description, status=429, retry_after=wait
            ),
        )

    async def _request(
        self, rest_url: str, method: str, payload: Mapping[str, Any], **log_context: object
    ) -> dict[str, Any]:
        endpoint = _endpoint(rest_url, method)
        content = encode_json(payload)
        started = self._clock()
        log = self._log.bind(method=method, host=endpoint.host, **log_context)
        try:
            async with asyncio.timeout(self._call_deadline):
                response = await self._http.post(endpoint.url, content=content, headers=_HEADERS)
        except (TimeoutError, httpx.TimeoutException):
            log.warning(
                "bitrix_call", status=None, duration_ms=self._ms_since(started), error="TIMEOUT"
            )
            raise BitrixUnavailable(
                "TIMEOUT", f"no answer within {self._call_deadline:g} s"
            ) from None
        except httpx.RequestError as exc:
            log.warning(
                "bitrix_call", status=None, duration_ms=self._ms_since(started), error="UNREACHABLE"
            )
            # The message is scrubbed and the original dropped: httpx errors may quote the URL.
            detail = str(exc).replace(endpoint.secret, "****") if endpoint.secret else str(exc)
            raise BitrixUnavailable("UNREACHABLE", f"{type(exc).__name__}: {detail}") from None
        answer = _read_answer(response)
        error = self._error_for(answer)
        (log.info if error is None else log.warning)(
            "bitrix_call",
            status=answer.status,
            duration_ms=self._ms_since(started),
            bitrix_duration=answer.bitrix_duration,
            error=None if error is None else error.code,
        )
        if error is not None:
            raise error
        assert answer.body is not None  # _error_for refuses an answer without a body
        return answer.body

    def _error_for(self, answer: _Answer) -> BitrixError | None:
        """Throttled: pause the shop; Rejected: retrying will not help; Unavailable: retry later."""
        code, status = answer.error_code, answer.status
        if code is None and 200 <= status < 300 and "result" in (answer.body or {}):
            return None
        label = code if code is not None else f"HTTP_{status}"
        if status == 429 or code in THROTTLE_CODES:
            wait = self._throttle_wait(code, answer)
            return BitrixThrottled(label, answer.description, status=status, retry_after=wait)
        if code is None and 200 <= status < 300:
            # A 200 that is not Bitrix (a hoster's stub page): the shop may well answer later.
            return BitrixUnavailable("BAD_RESPONSE", answer.description, status=status)
        if code in _FINAL_CODES or (status < 500 and status != 408):
            return BitrixRejected(label, answer.description, status=status)
        return BitrixUnavailable(label, answer.description, status=status)

    def _throttle_wait(self, code: str | None, answer: _Answer) -> float:
        if code == "QUERY_LIMIT_EXCEEDED":
            return self._query_limit_wait
        if code == "OVERLOAD_LIMIT":
            return self._overload_wait
        return self._operating_reset_wait(answer)

    def _operating_reset_wait(self, answer: _Answer) -> float:
        timing = answer.body.get("time") if answer.body is not None else None
        reset_at = timing.get("operating_reset_at") if isinstance(timing, dict) else None
        if not isinstance(reset_at, int | Decimal) or isinstance(reset_at, bool):
            return self._operating_limit_wait
        # The shop's clock may be off: never less than a second, never past Bitrix's window.
        wait = float(reset_at) - self._wall_clock()
        return min(max(wait, 1.0), OPERATING_WINDOW_SECONDS)

    def _ms_since(self, started: float) -> int:
        return round((self._clock() - started) * 1000)


def _batch_key(key: str) -> str:
    if not _BATCH_KEY.fullmatch(key):
        raise ValueError(f"a batch key may hold only letters, digits and _.:- : {key!r}")
    return key


def _endpoint(rest_url: str, method: str) -> _Endpoint:
    """`<rest_url><method>.json`; a URL that cannot be a webhook is refused before any I/O."""
    _check_method(method)
    try:
        base = httpx.URL(rest_url)
    except httpx.InvalidURL:
        # Neither the URL nor httpx's message (which quotes it) may reach an error or a log.
        raise BitrixRejected("INVALID_URL", "the shop's REST URL cannot be parsed") from None
    if base.scheme not in ("http", "https") or not base.host:
        raise BitrixRejected("INVALID_URL", "the shop's REST URL must be an absolute http(s) URL")
    directory = base.path if base.path.endswith("/") else base.path + "/"
    secret = _WEBHOOK_SECRET.match(base.path)
    return _Endpoint(
        url=base.copy_with(path=f"{directory}{method}.json", query=None, fragment=None),
        host=base.host,
        secret=secret.group(1) if secret else base.path.strip("/"),
    )
