"""The one clock of the Bitrix sandbox: unix seconds, injectable so tests can move time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

Clock = Callable[[], float]

# Bitrix answers in the shop's local time; the demo shop sits in Moscow.
SHOP_TZ = timezone(timedelta(hours=3))


def system_clock() -> float:
    return time.time()


class FakeClock:
    """A clock that stands still until a test advances it."""

    def __init__(self, start: float = 1_735_689_600.0) -> None:  # 2025-01-01T00:00:00Z
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def bitrix_datetime(timestamp: float) -> str:
    """'2024-04-11T15:05:48+03:00': how Bitrix REST writes date-times."""
    return datetime.fromtimestamp(timestamp, UTC).astimezone(SHOP_TZ).isoformat(timespec="seconds")
