"""What a REST method handler receives and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.sandbox.bitrix.params import Params
from app.sandbox.bitrix.portal import Portal


@dataclass(frozen=True)
class CallContext:
    portal: Portal
    now: float
    page_size: int = 50


@dataclass(frozen=True)
class MethodResult:
    result: object
    # List methods only: how many rows match, and the `start` of the next page if there is one.
    total: int | None = None
    next: int | None = None


Handler = Callable[[CallContext, Params], MethodResult]
