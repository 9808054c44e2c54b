"""/api/v1/returns: what comes back after partial acceptance or refusal, and the money owed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from app.deps import PrincipalDep, SessionDep
from app.errors import ERROR_RESPONSES, Conflict, NotFound
from app.returns.models import ShipmentReturn
from app.returns.schemas import ReturnOut, ReturnPage

router = APIRouter(prefix="/api/v1/returns", tags=["returns"], responses=ERROR_RESPONSES)


@router.get("", summary="List returns (newest first)")
async def list_returns(
    principal: PrincipalDep,
    session: SessionDep,
    state: Annotated[str | None, Query(pattern="^(expected|received|closed)$")] = None,
    refund_state: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ReturnPage:
    query = select(ShipmentReturn)
    if not principal.is_admin:
        query = query.where(ShipmentReturn.shop_id == principal.shop_id)
    if state is not None:
        query = query.where(ShipmentReturn.state == state)
    if refund_state is not None:
        query = query.where(ShipmentReturn.refund_state == refund_state)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(ShipmentReturn.created_at.desc()).limit(limit).offset(offset)
    )
    return ReturnPage(
        items=[ReturnOut.model_validate(r, from_attributes=True) for r in rows],
        total=int(total or 0),
    )


@router.get("/{return_id}", summary="Read a return")
async def get_return(
    return_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> ReturnOut:
    record = await session.get(ShipmentReturn, return_id)
    if record is None or not principal.can_see(record.shop_id):
        raise NotFound("return not found")
    return ReturnOut.model_validate(record, from_attributes=True)


@router.post("/{return_id}/close", summary="Close a return once the goods and money are settled")
async def close_return(
    return_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> ReturnOut:
    """For refunds a manager made by hand: the goods must be back (`received`) first."""
    record = await session.get(ShipmentReturn, return_id, with_for_update=True)
    if record is None or not principal.can_see(record.shop_id):
        raise NotFound("return not found")
    if record.state == "expected":
        raise Conflict("The goods are not back yet: Ozon has not reported `returned`.")
    if record.refund_state == "manual":
        record.refund_detail = (record.refund_detail or "") + " — closed by a manager"
    record.state = "closed"
    await session.flush()
    await session.refresh(record)
    return ReturnOut.model_validate(record, from_attributes=True)
