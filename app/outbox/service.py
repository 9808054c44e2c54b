"""Putting messages for Bitrix into the outbox, in the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxMessage


def enqueue(
    session: AsyncSession,
    *,
    shop_id: uuid.UUID,
    shipment_id: uuid.UUID | None,
    kind: str,
    payload: dict[str, Any],
) -> OutboxMessage:
    """The message commits (or not) with the change that caused it: nothing lost, nothing extra."""
    message = OutboxMessage(
        shop_id=shop_id, shipment_id=shipment_id, kind=kind, payload=payload, state="pending"
    )
    session.add(message)
    return message
