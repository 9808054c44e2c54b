"""Bitrix's per-method "operating" limit: execution time summed over a sliding window."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class OperatingLimiter:
    """Per method, the (time, seconds spent) of recent calls; over the limit it is blocked."""

    limit_seconds: float
    window_seconds: float
    _spent: dict[str, deque[tuple[float, float]]] = field(default_factory=dict)

    def spent(self, method: str, now: float) -> float:
        calls = self._calls(method, now)
        return sum(cost for _, cost in calls)

    def is_blocked(self, method: str, now: float) -> bool:
        return self.spent(method, now) >= self.limit_seconds

    def record(self, method: str, now: float, cost: float) -> None:
        self._spent.setdefault(method, deque()).append((now, cost))

    def reset_at(self, method: str, now: float) -> float:
        """When the oldest call in the window falls out (Bitrix's `operating_reset_at`)."""
        calls = self._calls(method, now)
        return (calls[0][0] if calls else now) + self.window_seconds

    def _calls(self, method: str, now: float) -> deque[tuple[float, float]]:
        calls = self._spent.setdefault(method, deque())
        while calls and calls[0][0] <= now - self.window_seconds:
            calls.popleft()
        return calls
