"""The outbox: enqueue in the caller's transaction; list and re-queue for operators."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.outbox.models import OutboxMessage
from app.outbox.schemas import OutboxState


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


async def list_messages(
    session: AsyncSession,
    *,
    state: OutboxState | None = None,
    shop_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[OutboxMessage], int]:
    """`failed` is pending after an error; the others are the stored states."""
    query = select(OutboxMessage)
    if state == "failed":
        query = query.where(OutboxMessage.state == "pending", OutboxMessage.attempts > 0)
    elif state is not None:
        query = query.where(OutboxMessage.state == state)
    if shop_id is not None:
        query = query.where(OutboxMessage.shop_id == shop_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(OutboxMessage.id).limit(limit).offset(offset))
    return list(rows), int(total or 0)


async def retry_message(session: AsyncSession, message_id: int) -> OutboxMessage:
    """Re-queue a dead or failing message for now, unless that would move Bitrix backwards."""
    message = await session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound(f"outbox message {message_id} not found")
    if message.state == "done":
        raise Conflict("This message was delivered already; nothing to retry.")
    if await _superseded(session, message):
        raise Conflict(
            "A later status of this shipment has reached Bitrix since: re-sending this one "
            "would move the shop's status backwards."
        )
    now = datetime.now(UTC)
    message.state = "pending"
    message.attempts = 0
    message.next_attempt_at = now
    message.requeued_at = now  # a fresh lease on OUTBOX_MAX_AGE_HOURS
    await session.flush()
    return message


async def _superseded(session: AsyncSession, message: OutboxMessage) -> bool:
    # Imported here: the lifecycle enqueues through this module.
    from app.shipments.lifecycle import STATUS_PUSH

    if message.kind != STATUS_PUSH or message.shipment_id is None:
        return False
    later = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.shipment_id == message.shipment_id,
            OutboxMessage.kind == STATUS_PUSH,
            OutboxMessage.id > message.id,
            OutboxMessage.state == "done",
        )
    )
    return bool(later)
