"""What the outbox needs from a shop's Bitrix: run a batch of REST commands, say what happened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Command:
    """One REST call inside a batch: `sale.shipment.update` with its params.

    Params may refer to an earlier command's result with Bitrix's own syntax, e.g.
    `"$result[get][shipment][deliveryId]"`, which Bitrix substitutes inside the batch.
    """

    method: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class CommandError:
    code: str
    description: str


# Refusals for the shop's limits, not for the command: the whole shop waits, nothing is wrong.
THROTTLE_CODES = frozenset({"QUERY_LIMIT_EXCEEDED", "OVERLOAD_LIMIT", "OPERATION_TIME_LIMIT"})


@dataclass(frozen=True)
class BatchOutcome:
    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, CommandError] = field(default_factory=dict)
    # Set when a command was refused for the shop's limits (a per-method OPERATION_TIME_LIMIT
    # comes back inside the batch's HTTP 200): pause the shop, and do not count the attempt.
    throttled: BitrixThrottled | None = None


class BitrixError(Exception):
    """The call as a whole failed; subclasses say whether to pause the shop or retry later."""

    def __init__(self, code: str, description: str = "", *, status: int | None = None) -> None:
        super().__init__(f"{code}: {description}" if description else code)
        self.code = code
        self.description = description
        self.status = status


class BitrixThrottled(BitrixError):
    """503 QUERY_LIMIT_EXCEEDED / OVERLOAD_LIMIT, 429 OPERATION_TIME_LIMIT: pause the whole shop."""

    def __init__(
        self, code: str, description: str = "", *, status: int | None = None, retry_after: float
    ) -> None:
        super().__init__(code, description, status=status)
        self.retry_after = retry_after


class BitrixUnavailable(BitrixError):
    """Network error, timeout, 5xx: the shop is down; retry later with backoff."""


class BitrixRejected(BitrixError):
    """401/403/404 and other answers that retrying will not fix (bad URL, revoked webhook)."""


class BitrixClient(Protocol):
    async def batch(
        self, rest_url: str, commands: Mapping[str, Command], *, halt: bool = False
    ) -> BatchOutcome:
        """At most 50 commands; raises BitrixError when the request as a whole failed."""
        ...

    async def call(self, rest_url: str, method: str, params: Mapping[str, Any]) -> Any:
        """One method outside a batch; returns `result`, raises BitrixError (or a CommandError
        wrapped in BitrixRejected) on failure."""
        ...
