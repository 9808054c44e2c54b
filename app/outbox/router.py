"""/api/v1/outbox: what waits for, or was given up on by, the shops' Bitrix REST (admin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.deps import AdminDep, SessionDep
from app.errors import ERROR_RESPONSES, PROBLEM_MEDIA_TYPE, Problem
from app.outbox import service
from app.outbox.schemas import OutboxMessageOut, OutboxPage, OutboxState

router = APIRouter(prefix="/api/v1/outbox", tags=["operations"], responses=ERROR_RESPONSES)


@router.get("", summary="List outbox messages (admin)")
async def list_outbox(
    _: AdminDep,
    session: SessionDep,
    state: OutboxState | None = None,
    shop_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> OutboxPage:
    """`pending` waits for its turn, `failed` is pending after an error (it will be retried),
    `dead` was given up on (re-queue it with POST .../retry), `done` was delivered."""
    rows, total = await service.list_messages(
        session, state=state, shop_id=shop_id, limit=limit, offset=offset
    )
    return OutboxPage(
        items=[OutboxMessageOut.model_validate(r, from_attributes=True) for r in rows],
        total=total,
    )


@router.post(
    "/{message_id}/retry",
    summary="Re-queue a dead or failing message now (admin)",
    responses={
        409: {
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {}},
            "description": "Delivered already, or a later status has reached Bitrix since",
        }
    },
)
async def retry_outbox(
    message_id: Annotated[int, Path(ge=1, le=2**63 - 1)], _: AdminDep, session: SessionDep
) -> OutboxMessageOut:
    message = await service.retry_message(session, message_id)
    return OutboxMessageOut.model_validate(message, from_attributes=True)
