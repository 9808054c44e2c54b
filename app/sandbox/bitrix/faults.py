"""Going down on command: a portal that answers 503/500, hangs or stalls, then comes back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# unavailable: 503 with the web server's HTML page (Bitrix itself is not reached)
# overload:    503 JSON OVERLOAD_LIMIT (Bitrix's REST API blocked)
# error:       500 JSON INTERNAL_SERVER_ERROR
# hang:        no answer for hang_seconds, then 504 HTML from the proxy; nothing is processed
# slow:        the call is processed at once but answered only after hang_seconds — the case
#              where a client times out and retries a write that did land
FaultMode = Literal["unavailable", "overload", "error", "hang", "slow"]


class FaultSpec(BaseModel):
    """A fault to switch on; without for_calls/for_seconds it lasts until cleared."""

    model_config = ConfigDict(extra="forbid")

    mode: FaultMode
    for_calls: int | None = Field(default=None, ge=1)
    for_seconds: float | None = Field(default=None, gt=0)
    # Lower-case top-level method names ("batch" included); None hits every call.
    methods: list[str] | None = None
    hang_seconds: float = Field(default=30.0, ge=0)


@dataclass
class Fault:
    mode: FaultMode
    calls_left: int | None
    until: float | None
    methods: frozenset[str] | None
    hang_seconds: float

    @classmethod
    def from_spec(cls, spec: FaultSpec, now: float) -> Fault:
        return cls(
            mode=spec.mode,
            calls_left=spec.for_calls,
            until=None if spec.for_seconds is None else now + spec.for_seconds,
            methods=None if spec.methods is None else frozenset(m.lower() for m in spec.methods),
            hang_seconds=spec.hang_seconds,
        )

    def expired(self, now: float) -> bool:
        return (self.until is not None and now >= self.until) or self.calls_left == 0

    def hits(self, method: str) -> bool:
        return self.methods is None or method.lower() in self.methods

    def consume(self) -> None:
        if self.calls_left is not None:
            self.calls_left -= 1
