"""The sandbox's one clock: real time plus a settable offset, or frozen for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    """Tokens expire, webhooks are stamped and rate windows slide by this clock.

    Real time by default; `frozen_at` pins it so tests can step time with `advance`.
    """

    def __init__(self, frozen_at: datetime | None = None) -> None:
        if frozen_at is not None and frozen_at.tzinfo is None:
            raise ValueError("frozen_at must be timezone-aware")
        self._frozen_at = frozen_at
        self._offset = timedelta()

    def now(self) -> datetime:
        base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
        return (base + self._offset).astimezone(UTC)

    def timestamp(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> datetime:
        """Move time forward (token expiry, rate windows) without waiting for it."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._offset += timedelta(seconds=seconds)
        return self.now()
