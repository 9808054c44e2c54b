"""Shipments: created at Ozon at most once, read, listed, cancelled, refreshed."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import Principal
from app.domain.carrier import (
    Address,
    Carrier,
    CarrierAuthError,
    CarrierConflict,
    CarrierNotFound,
    CarrierUnavailableError,
    CarrierValidationError,
    CreatedOrder,
    OrderItem,
    OrderRequest,
    OrderState,
    Package,
    Recipient,
)
from app.domain.orders import Line, order_problems
from app.errors import (
    CarrierMisconfigured,
    CarrierRejected,
    CarrierUnavailable,
    Conflict,
    InvalidInput,
    NotFound,
)
from app.pickup_points.service import check_pickup_point, partial_acceptance_allowed
from app.shipments import schemas
from app.shipments.lifecycle import StatusReport, apply_status
from app.shipments.models import Shipment, ShipmentItem
from app.shops.models import DeliveryService
from app.shops.service import DeliveryServiceConfig

log = structlog.get_logger(__name__)

# Where a delivery service's settings come from (ShopLookup.delivery_service).
ConfigFor = Callable[[uuid.UUID, int], Awaitable[DeliveryServiceConfig]]


def seller_order_number(bitrix_order_id: int, bitrix_shipment_id: int, *, split: bool) -> str:
    """SHOP-<order>, or SHOP-<order>-<shipment> when the order has several Ozon shipments."""
    base = f"SHOP-{bitrix_order_id}"
    return f"{base}-{bitrix_shipment_id}" if split else base


def request_fingerprint(body: schemas.ShipmentCreate) -> tuple[dict[str, Any], str]:
    canonical = body.model_dump(mode="json")
    raw = json.dumps(canonical, sort_keys=True, ensure_ascii=False)
    return canonical, hashlib.sha256(raw.encode()).hexdigest()


def check_order(body: schemas.ShipmentCreate) -> None:
    lines = [Line(i.sku, i.quantity, i.declared_price) for i in body.items]
    problems = order_problems(lines, body.declared_value)
    if problems:
        raise InvalidInput(
            problems[0].msg if len(problems) == 1 else "The order's items do not add up",
            errors=[{"loc": ["body", *p.loc], "msg": p.msg} for p in problems],
        )


async def create_shipment(
    sessions: async_sessionmaker[AsyncSession],
    body: schemas.ShipmentCreate,
    config: DeliveryServiceConfig,
    *,
    idempotency_key: str | None,
    carrier: Carrier,
) -> tuple[Shipment, bool]:
    """Returns (shipment, created_now). Safe to call any number of times, concurrently.

    Phase 1 records the intent (one row per Bitrix shipment, unique). Phase 2 creates the Ozon
    order under that row's lock, so concurrent callers wait and then see the order; a response
    lost to a timeout or crash is recovered through Ozon's 409 and its order_id.
    """
    check_order(body)
    canonical, digest = request_fingerprint(body)
    shipment_id = await _record_intent(sessions, body, config, canonical, digest, idempotency_key)
    async with sessions() as session, session.begin():
        shipment = await _locked(session, shipment_id)
        if shipment.ozon_order_id is not None:
            return shipment, False
        if shipment.request_hash != digest:
            # Nothing reached Ozon yet: the shop may correct the shipment before it does.
            _apply_request(shipment, body, canonical, digest)
        service = await session.get_one(DeliveryService, config.id)
        if shipment.delivery_type == "pickup_point" and shipment.pickup_point_id:
            point_id = shipment.pickup_point_id
            await check_pickup_point(session, point_id, order_request(shipment, config).packages)
            # Lockers never accept partially: Ozon is not asked to.
            shipment.allow_partial_acceptance = config.partial_accept and (
                await partial_acceptance_allowed(session, point_id)
            )
        created = await _create_at_carrier(session, shipment, config, carrier)
        shipment.ozon_order_id = created.order_id
        shipment.tracking_number = created.tracking_number
        shipment.last_error = None
        await apply_status(
            session,
            shipment,
            StatusReport(
                status=created.status if created.status != "pending" else "created",
                occurred_at=created.created_at or datetime.now(UTC),
                source="create",
                tracking_number=created.tracking_number,
            ),
            service,
        )
        log.info(
            "shipment_created",
            shipment_id=str(shipment.id),
            ozon_order_id=created.order_id,
            recovered=created.recovered,
        )
    return shipment, True


async def _record_intent(
    sessions: async_sessionmaker[AsyncSession],
    body: schemas.ShipmentCreate,
    config: DeliveryServiceConfig,
    canonical: dict[str, Any],
    digest: str,
    idempotency_key: str | None,
) -> uuid.UUID:
    async with sessions() as session, session.begin():
        if idempotency_key is not None:
            by_key = await session.scalar(
                select(Shipment).where(
                    Shipment.shop_id == body.shop_id, Shipment.idempotency_key == idempotency_key
                )
            )
            if by_key is not None:
                if by_key.request_hash != digest:
                    raise InvalidInput(
                        "This Idempotency-Key was used with a different request body; "
                        "use a new key for a different shipment.",
                        loc=["header", "Idempotency-Key"],
                    )
                return by_key.id
        existing = await _by_bitrix_shipment(session, body.shop_id, body.bitrix_shipment_id)
        if existing is not None:
            other_key = existing.idempotency_key not in (None, idempotency_key)
            if idempotency_key is not None and other_key and existing.request_hash != digest:
                raise InvalidInput(
                    "This Bitrix shipment was already sent with another Idempotency-Key "
                    "and a different body.",
                    loc=["header", "Idempotency-Key"],
                )
            return existing.id
        split = await _order_has_other_shipments(session, body)
        values = _row_values(body, config, canonical, digest, idempotency_key)
        values["seller_order_number"] = seller_order_number(
            body.bitrix_order_id, body.bitrix_shipment_id, split=split
        )
        inserted = await session.scalar(
            insert(Shipment).values(**values).on_conflict_do_nothing().returning(Shipment.id)
        )
        if inserted is None:
            # A concurrent caller inserted it first: use theirs.
            await session.rollback()
            async with sessions() as again:
                winner = await _by_bitrix_shipment(again, body.shop_id, body.bitrix_shipment_id)
            if winner is None:
                raise Conflict(
                    f"seller_order_number {values['seller_order_number']} is already used by "
                    "another shipment of this shop."
                )
            return winner.id
        shipment_id: uuid.UUID = inserted
        session.add_all(_items(shipment_id, body))
        return shipment_id


def _row_values(
    body: schemas.ShipmentCreate,
    config: DeliveryServiceConfig,
    canonical: dict[str, Any],
    digest: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "shop_id": body.shop_id,
        "delivery_service_id": config.id,
        "bitrix_delivery_id": body.bitrix_delivery_id,
        "bitrix_order_id": body.bitrix_order_id,
        "bitrix_shipment_id": body.bitrix_shipment_id,
        "idempotency_key": idempotency_key,
        "request_hash": digest,
        "request": canonical,
        "status": "pending",
        "delivery_type": body.delivery_type,
        "option_id": body.option_id,
        "pickup_point_id": body.pickup_point_id,
        "payment_method": body.payment_method,
        "allow_partial_acceptance": config.partial_accept,
        "declared_value": body.declared_value,
        "paid_amount": body.paid_amount,
        "delivery_price": body.delivery_price,
        "create_attempts": 0,
    }


def _items(shipment_id: uuid.UUID, body: schemas.ShipmentCreate) -> list[ShipmentItem]:
    return [
        ShipmentItem(
            shipment_id=shipment_id,
            position=position,
            bitrix_basket_item_id=item.bitrix_basket_item_id,
            sku=item.sku,
            name=item.name,
            quantity=item.quantity,
            price=item.price,
            declared_price=item.declared_price,
        )
        for position, item in enumerate(body.items)
    ]


def _apply_request(
    shipment: Shipment, body: schemas.ShipmentCreate, canonical: dict[str, Any], digest: str
) -> None:
    shipment.request = canonical
    shipment.request_hash = digest
    shipment.delivery_type = body.delivery_type
    shipment.option_id = body.option_id
    shipment.pickup_point_id = body.pickup_point_id
    shipment.payment_method = body.payment_method
    shipment.declared_value = body.declared_value
    shipment.paid_amount = body.paid_amount
    shipment.items.clear()
    shipment.items.extend(_items(shipment.id, body))


async def _order_has_other_shipments(session: AsyncSession, body: schemas.ShipmentCreate) -> bool:
    count = await session.scalar(
        select(func.count())
        .select_from(Shipment)
        .where(
            Shipment.shop_id == body.shop_id,
            Shipment.bitrix_order_id == body.bitrix_order_id,
            Shipment.bitrix_shipment_id != body.bitrix_shipment_id,
        )
    )
    return bool(count)


async def _by_bitrix_shipment(
    session: AsyncSession, shop_id: uuid.UUID, bitrix_shipment_id: int
) -> Shipment | None:
    return await session.scalar(
        select(Shipment).where(
            Shipment.shop_id == shop_id, Shipment.bitrix_shipment_id == bitrix_shipment_id
        )
    )


async def _locked(session: AsyncSession, shipment_id: uuid.UUID) -> Shipment:
    shipment = await session.scalar(
        select(Shipment)
        .where(Shipment.id == shipment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if shipment is None:
        raise NotFound("shipment not found")
    return shipment


def order_request(shipment: Shipment, config: DeliveryServiceConfig) -> OrderRequest:
    req = shipment.request
    packages = req.get("packages") or [config.default_package.__dict__]
    address = req.get("address")
    return OrderRequest(
        seller_order_number=shipment.seller_order_number,
        warehouse_id=config.warehouse_id,
        delivery_type=req["delivery_type"],
        option_id=req.get("option_id"),
        pickup_point_id=req.get("pickup_point_id"),
        recipient=Recipient(**req["recipient"]),
        address=Address(**address) if address else None,
        packages=tuple(Package(**p) for p in packages),
        items=tuple(
            OrderItem(
                sku=i.sku,
                name=i.name,
                quantity=i.quantity,
                price=i.price,
                declared_price=i.declared_price,
            )
            for i in shipment.items
        ),
        payment_method=req["payment_method"],
        declared_value=Decimal(shipment.declared_value),
        allow_partial_acceptance=shipment.allow_partial_acceptance,
    )


async def _create_at_carrier(
    session: AsyncSession, shipment: Shipment, config: DeliveryServiceConfig, carrier: Carrier
) -> CreatedOrder:
    shipment.create_attempts += 1
    try:
        created = await carrier.create_order(config.credentials, order_request(shipment, config))
    except CarrierValidationError as exc:
        await _remember_failure(session, shipment, f"rejected by Ozon: {exc.message}")
        raise CarrierRejected(
            f"Ozon Rocket rejected the shipment: {exc.message}",
            ozon_error_code=exc.error_code,
            ozon_details=exc.details,
        ) from exc
    except (CarrierAuthError, CarrierNotFound) as exc:
        await _remember_failure(session, shipment, f"settings refused by Ozon: {exc.error_code}")
        raise CarrierMisconfigured(
            "Ozon Rocket refused this delivery service's OZON_API_KEY, SELLER_ID or "
            f"DEFAULT_WAREHOUSE_ID ({exc.error_code or 'error'}): {exc.message}",
            ozon_error_code=exc.error_code,
        ) from exc
    except CarrierUnavailableError as exc:
        await _remember_failure(session, shipment, "Ozon unavailable; send the shipment again")
        raise CarrierUnavailable(
            "Ozon Rocket did not confirm the shipment. It is saved as pending: send the same "
            "request again (it will not be created twice)."
        ) from exc
    except CarrierConflict as exc:
        await _remember_failure(session, shipment, f"conflict at Ozon: {exc.message}")
        raise Conflict(f"Ozon Rocket refused the shipment: {exc.message}") from exc
    if created.recovered:
        await _check_recovered_is_ours(carrier, config, shipment, created)
    return created


async def _check_recovered_is_ours(
    carrier: Carrier, config: DeliveryServiceConfig, shipment: Shipment, created: CreatedOrder
) -> None:
    """A 409 hands us the order that holds our seller_order_number; make sure it is ours."""
    try:
        state = await carrier.get_order(config.credentials, created.order_id)
    except CarrierUnavailableError:
        return  # the 409 is Ozon's word already; the check is a second opinion
    theirs = {i.sku: i.quantity for i in state.items}
    ours = {i.sku: i.quantity for i in shipment.items}
    if theirs and theirs != ours:
        raise Conflict(
            f"Ozon already has order {created.order_id} under {shipment.seller_order_number} "
            "with other items: another shop may share this SELLER_ID. Nothing was created."
        )


async def _remember_failure(session: AsyncSession, shipment: Shipment, message: str) -> None:
    shipment.last_error = message
    # Commit the attempt count and error even though the request fails.
    await session.commit()


async def get_shipment(
    session: AsyncSession, principal: Principal, shipment_id: uuid.UUID
) -> Shipment:
    shipment = await session.get(Shipment, shipment_id)
    if shipment is None or not principal.can_see(shipment.shop_id):
        raise NotFound("shipment not found")
    return shipment


async def list_shipments(
    session: AsyncSession,
    principal: Principal,
    *,
    shop_id: uuid.UUID | None,
    bitrix_order_id: int | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Shipment], int]:
    query = select(Shipment)
    if not principal.is_admin:
        query = query.where(Shipment.shop_id == principal.shop_id)
    if shop_id is not None:
        query = query.where(Shipment.shop_id == shop_id)
    if bitrix_order_id is not None:
        query = query.where(Shipment.bitrix_order_id == bitrix_order_id)
    if status is not None:
        query = query.where(Shipment.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Shipment.created_at.desc(), Shipment.id).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def cancel_shipment(
    session: AsyncSession,
    principal: Principal,
    shipment_id: uuid.UUID,
    config_for: ConfigFor,
    carrier: Carrier,
) -> Shipment:
    await get_shipment(session, principal, shipment_id)
    shipment = await _locked(session, shipment_id)
    if shipment.status == "cancelled":
        return shipment
    if shipment.ozon_order_id is None:
        raise Conflict(
            "The shipment is not confirmed by Ozon yet: send it again (POST /api/v1/shipments) "
            "or cancel the order in Bitrix."
        )
    if shipment.status != "created":
        raise Conflict(
            f"Ozon Rocket no longer allows cancelling: the shipment is {shipment.status}.",
            status_now=shipment.status,
        )
    config = await config_for(shipment.shop_id, shipment.bitrix_delivery_id)
    try:
        await carrier.cancel_order(config.credentials, shipment.ozon_order_id)
    except CarrierConflict as exc:
        raise Conflict(
            f"Ozon Rocket no longer allows cancelling: {exc.message}",
            ozon_error_code=exc.error_code,
        ) from exc
    except CarrierUnavailableError as exc:
        raise CarrierUnavailable("Ozon Rocket did not answer; try cancelling again.") from exc
    service = await session.get_one(DeliveryService, shipment.delivery_service_id)
    await apply_status(
        session,
        shipment,
        StatusReport(status="cancelled", occurred_at=datetime.now(UTC), source="cancel"),
        service,
    )
    return shipment


async def apply_order_state(
    session: AsyncSession, shipment: Shipment, state: OrderState, *, source: str
) -> bool:
    """What GET /v1/orders/{id} says, through the same state machine as webhooks."""
    service = await session.get_one(DeliveryService, shipment.delivery_service_id)
    return await apply_status(
        session,
        shipment,
        StatusReport(
            status=state.status,
            occurred_at=state.updated_at or datetime.now(UTC),
            source=source,
            tracking_number=state.tracking_number,
            items=state.items,
            cod_collected=state.cod_collected,
        ),
        service,
    )


async def refresh_shipment(
    session: AsyncSession,
    principal: Principal,
    shipment_id: uuid.UUID,
    config_for: ConfigFor,
    carrier: Carrier,
) -> Shipment:
    await get_shipment(session, principal, shipment_id)
    shipment = await _locked(session, shipment_id)
    if shipment.ozon_order_id is None:
        raise Conflict("The shipment is not confirmed by Ozon yet: there is nothing to refresh.")
    config = await config_for(shipment.shop_id, shipment.bitrix_delivery_id)
    try:
        state = await carrier.get_order(config.credentials, shipment.ozon_order_id)
    except CarrierUnavailableError as exc:
        raise CarrierUnavailable("Ozon Rocket did not answer; try again.") from exc
    except CarrierNotFound as exc:
        raise NotFound(f"Ozon Rocket does not know order {shipment.ozon_order_id}") from exc
    await apply_order_state(session, shipment, state, source="refresh")
    return shipment
