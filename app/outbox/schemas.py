"""Outbox messages as operators see them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

OutboxState = Literal["pending", "failed", "dead", "done"]


class OutboxMessageOut(BaseModel):
    id: int
    shop_id: uuid.UUID
    shipment_id: uuid.UUID | None
    kind: str
    state: str = Field(
        description="pending | done | dead; `failed` in filters = pending with errors"
    )
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    payload: dict[str, Any]
    created_at: datetime
    requeued_at: datetime | None = Field(
        description="when an operator last re-queued it; its age counts from here then"
    )
    delivered_at: datetime | None


class OutboxPage(BaseModel):
    items: list[OutboxMessageOut]
    total: int
