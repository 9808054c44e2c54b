"""/api/v1/outbox: what waits for, or was given up on by, the shops' Bitrix REST (admin)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from app.deps import AdminDep, SessionDep
from app.errors import ERROR_RESPONSES, Conflict, NotFound
from app.outbox.models import OutboxMessage
from app.outbox.schemas import OutboxMessageOut, OutboxPage, OutboxState
from app.shipments.lifecycle import STATUS_PUSH

router = APIRouter(prefix="/api/v1/outbox", tags=["operations"], responses=ERROR_RESPONSES)


@router.get("", summary="List outbox messages (admin)")
async def list_outbox(
    _: AdminDep,
    session: SessionDep,
    state: OutboxState | None = None,
    shop_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> OutboxPage:
    """`pending` waits for its turn, `failed` is pending after an error (it will be retried),
    `dead` was given up on (re-queue it with POST .../retry), `done` was delivered."""
    query = select(OutboxMessage)
    if state == "failed":
        query = query.where(OutboxMessage.state == "pending", OutboxMessage.attempts > 0)
    elif state is not None:
        query = query.where(OutboxMessage.state == state)
    if shop_id is not None:
        query = query.where(OutboxMessage.shop_id == shop_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(OutboxMessage.id).limit(limit).offset(offset))
    return OutboxPage(
        items=[OutboxMessageOut.model_validate(r, from_attributes=True) for r in rows],
        total=int(total or 0),
    )


@router.post("/{message_id}/retry", summary="Re-queue a dead or failing message now (admin)")
async def retry_outbox(message_id: int, _: AdminDep, session: SessionDep) -> OutboxMessageOut:
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
    message.state = "pending"
    message.attempts = 0
    message.next_attempt_at = datetime.now(UTC)
    await session.flush()
    return OutboxMessageOut.model_validate(message, from_attributes=True)


async def _superseded(session: SessionDep, message: OutboxMessage) -> bool:
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
