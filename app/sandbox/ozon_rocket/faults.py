"""Injected failures: latency, hangs and error answers on chosen paths, for a number of calls."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass
from typing import Literal

from app.sandbox.ozon_rocket.wire import Json


@dataclass(slots=True)
class Fault:
    path_prefix: str = "/v1/"
    method: str | None = None
    latency_ms: int = 0
    hang: bool = False
    status: int | None = None
    error_code: str | None = None
    retry_after: int | None = None
    count: int | None = None  # None: until cleared
    # "response": the call takes effect, then its answer is lost (timeouts after a create).
    phase: Literal["request", "response"] = "request"
    fault_id: int = 0
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix) and (self.count is None or self.count > 0)

    def view(self) -> dict[str, Json]:
        return {
            "fault_id": self.fault_id,
            "path_prefix": self.path_prefix,
            "method": self.method,
            "latency_ms": self.latency_ms,
            "hang": self.hang,
            "status": self.status,
            "error_code": self.error_code,
            "retry_after": self.retry_after,
            "count": self.count,
            "phase": self.phase,
            "hits": self.hits,
        }


class FaultInjector:
    def __init__(self, hang_limit_seconds: float) -> None:
        self._hang_limit = hang_limit_seconds
        self._ids = itertools.count(1)
        self.faults: list[Fault] = []
        self._released = asyncio.Event()

    def add(self, fault: Fault) -> Fault:
        fault.fault_id = next(self._ids)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault and let go of the requests hanging on one."""
        self.faults.clear()
        self._released.set()
        self._released = asyncio.Event()

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault for this call, one use of it spent."""
        for fault in self.faults:
            if fault.matches(method, path):
                fault.hits += 1
                if fault.count is not None:
                    fault.count -= 1
                return fault
        return None

    async def hang(self) -> None:
        """Hold a request until the faults are cleared, or the hang limit at the latest."""
        released = self._released
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(released.wait(), self._hang_limit)
