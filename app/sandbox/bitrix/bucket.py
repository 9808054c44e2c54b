"""Bitrix's request-rate limit: a leaky bucket per portal (burst X, draining Y per second)."""

from __future__ import annotations


class LeakyBucket:
    """Each request pours one unit in; the bucket drains continuously; a full bucket refuses."""

    def __init__(self, burst: int, drain_per_second: float) -> None:
        self.burst = burst
        self.drain_per_second = drain_per_second
        self.level = 0.0
        self._updated_at: float | None = None

    def try_acquire(self, now: float) -> bool:
        self._drain(now)
        if self.level + 1 > self.burst:
            return False  # a refused request does not fill the bucket
        self.level += 1
        return True

    def current_level(self, now: float) -> float:
        self._drain(now)
        return self.level

    def reconfigure(self, burst: int, drain_per_second: float) -> None:
        self.burst = burst
        self.drain_per_second = drain_per_second

    def _drain(self, now: float) -> None:
        if self._updated_at is not None and now > self._updated_at:
            self.level = max(0.0, self.level - (now - self._updated_at) * self.drain_per_second)
        if self._updated_at is None or now > self._updated_at:
            self._updated_at = now
