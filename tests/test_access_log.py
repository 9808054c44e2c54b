"""The request line written directly is the line structlog's chain would write."""

from __future__ import annotations

import asyncio
import io
import json
import sys

import pytest
import structlog

from app.logging import ACCESS_LOG, configure_logging


def test_the_direct_request_line_matches_structlogs_and_is_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", json=True)
    assert ACCESS_LOG.direct
    assert ACCESS_LOG.enabled
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        request_id="r-1", shop_id="s-1", note="Authorization: Bearer sekret-token-123"
    )
    fields = {"method": "POST", "route": "/api/v1/calculate", "status": 200, "duration_ms": 1.5}
    try:
        ACCESS_LOG.write(**fields)
        ACCESS_LOG.direct = False
        ACCESS_LOG.write(**fields)
    finally:
        ACCESS_LOG.direct = True
        structlog.contextvars.clear_contextvars()
    direct, chained = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert direct.pop("timestamp").endswith("Z")
    assert chained.pop("timestamp").endswith("Z")
    assert list(direct) == list(chained)
    assert direct == chained
    assert direct["note"] == "Authorization: Bearer ****"
    assert direct["event"] == "request"
    assert direct["logger"] == "app.access"


def test_no_request_line_below_info(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("WARNING", json=True)
    try:
        ACCESS_LOG.write(method="GET", route="/healthz", status=200, duration_ms=0.1)
    finally:
        configure_logging("INFO", json=True)
    assert capsys.readouterr().out == ""


async def test_request_lines_reach_the_output_within_the_flush_delay() -> None:
    configure_logging("INFO", json=True)
    flushed: list[str] = []

    class Recording(io.StringIO):
        def flush(self) -> None:
            flushed.append(self.getvalue())

    recording = Recording()
    original = sys.stdout
    sys.stdout = recording
    try:
        ACCESS_LOG.write(method="GET", route="/healthz", status=200, duration_ms=0.1)
        ACCESS_LOG.write(method="GET", route="/readyz", status=200, duration_ms=0.2)
        assert flushed == []  # not yet: one flush for both, a little later
        await asyncio.sleep(ACCESS_LOG.FLUSH_AFTER * 2)
    finally:
        sys.stdout = original
    assert len(flushed) == 1
    routes = [json.loads(line)["route"] for line in flushed[0].splitlines()]
    assert routes == ["/healthz", "/readyz"]
