"""/api/v1/shipments: create (exactly once), read, list, cancel, refresh."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Header, Query, Response, status

from app.deps import PrincipalDep, RuntimeDep, SessionDep
from app.errors import ERROR_RESPONSES, PROBLEM_MEDIA_TYPE, Problem
from app.returns.schemas import ReturnOut
from app.shipments import schemas, service
from app.shipments.models import Shipment

router = APIRouter(prefix="/api/v1/shipments", tags=["shipments"], responses=ERROR_RESPONSES)

_PROBLEM = {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}
# What Ozon's trouble answers as, on every call that reaches it (errors.carrier_problem).
_CARRIER_RESPONSES: dict[int | str, dict[str, Any]] = {
    424: {**_PROBLEM, "description": "Ozon refused the delivery service's credentials"},
    502: {**_PROBLEM, "description": "Ozon answered with an error the bridge does not know"},
    503: {**_PROBLEM, "description": "Ozon did not answer; try again"},
}


def shipment_out(shipment: Shipment) -> schemas.ShipmentOut:
    return schemas.ShipmentOut(
        id=shipment.id,
        shop_id=shipment.shop_id,
        bitrix_delivery_id=shipment.bitrix_delivery_id,
        bitrix_order_id=shipment.bitrix_order_id,
        bitrix_shipment_id=shipment.bitrix_shipment_id,
        ozon_order_id=shipment.ozon_order_id,
        seller_order_number=shipment.seller_order_number,
        tracking_number=shipment.tracking_number,
        status=shipment.status,
        bitrix_status_id=shipment.bitrix_status_id,
        delivery_type=shipment.delivery_type,
        option_id=shipment.option_id,
        pickup_point_id=shipment.pickup_point_id,
        payment_method=shipment.payment_method,
        declared_value=shipment.declared_value,
        paid_amount=shipment.paid_amount,
        cod_collected=shipment.cod_collected,
        items=[schemas.ItemOut.model_validate(i, from_attributes=True) for i in shipment.items],
        status_history=[
            schemas.StatusChangeOut.model_validate(h, from_attributes=True)
            for h in shipment.history
        ],
        last_error=shipment.last_error,
        return_=ReturnOut.model_validate(shipment.return_record, from_attributes=True)
        if shipment.return_record
        else None,
        created_at=shipment.created_at,
        updated_at=shipment.updated_at,
    )


async def _reload(runtime: RuntimeDep, shipment_id: uuid.UUID) -> Shipment:
    async with runtime.session_factory() as session:
        return await session.get_one(Shipment, shipment_id)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Send a Bitrix shipment to Ozon Rocket (exactly once)",
    responses={
        **_CARRIER_RESPONSES,
        200: {"description": "This Bitrix shipment was sent before: the same shipment"},
        409: {**_PROBLEM, "description": "Ozon refused the order number"},
        503: {**_PROBLEM, "description": "Ozon did not confirm; send the same request again"},
    },
)
async def create_shipment(
    body: schemas.ShipmentCreate,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> schemas.ShipmentOut:
    """The same Bitrix shipment posted again — sequentially or concurrently — returns the
    same shipment (200) and never makes a second Ozon order. `Idempotency-Key` with another
    body → 422."""
    structlog.contextvars.bind_contextvars(shop_id=str(body.shop_id))
    principal.require_shop(body.shop_id, "delivery service")
    config = await runtime.lookup.delivery_service(body.shop_id, body.bitrix_delivery_id)
    shipment, created = await service.create_shipment(
        runtime.session_factory,
        body,
        config,
        idempotency_key=idempotency_key,
        carrier=runtime.carrier,
    )
    structlog.contextvars.bind_contextvars(shipment_id=str(shipment.id))
    if not created:
        response.status_code = status.HTTP_200_OK
    return shipment_out(await _reload(runtime, shipment.id))


@router.get("/{shipment_id}", summary="Read a shipment with its items and status history")
async def get_shipment(
    shipment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> schemas.ShipmentOut:
    structlog.contextvars.bind_contextvars(shipment_id=str(shipment_id))
    return shipment_out(await service.get_shipment(session, principal, shipment_id))


@router.get("", summary="List shipments (newest first)")
async def list_shipments(
    principal: PrincipalDep,
    session: SessionDep,
    shop_id: uuid.UUID | None = None,
    bitrix_order_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    status_: Annotated[str | None, Query(alias="status", max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> schemas.ShipmentPage:
    rows, total = await service.list_shipments(
        session,
        principal,
        shop_id=shop_id,
        bitrix_order_id=bitrix_order_id,
        status=status_,
        limit=limit,
        offset=offset,
    )
    return schemas.ShipmentPage(
        items=[shipment_out(s) for s in rows], total=total, limit=limit, offset=offset
    )


@router.post(
    "/{shipment_id}/cancel",
    summary="Cancel at Ozon (only while `created`)",
    responses={
        **_CARRIER_RESPONSES,
        409: {**_PROBLEM, "description": "Ozon no longer allows cancelling"},
    },
)
async def cancel_shipment(
    shipment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep
) -> schemas.ShipmentOut:
    structlog.contextvars.bind_contextvars(shipment_id=str(shipment_id))
    shipment = await service.cancel_shipment(
        session, principal, shipment_id, runtime.lookup.delivery_service, runtime.carrier
    )
    await session.commit()
    return shipment_out(await _reload(runtime, shipment.id))


@router.post(
    "/{shipment_id}/refresh",
    summary="Pull the order from Ozon now and apply it",
    responses=_CARRIER_RESPONSES,
)
async def refresh_shipment(
    shipment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep
) -> schemas.ShipmentOut:
    structlog.contextvars.bind_contextvars(shipment_id=str(shipment_id))
    shipment = await service.refresh_shipment(
        session, principal, shipment_id, runtime.lookup.delivery_service, runtime.carrier
    )
    await session.commit()
    return shipment_out(await _reload(runtime, shipment.id))
