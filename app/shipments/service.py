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
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import Principal
from app.domain.carrier import (
    Address,
    Carrier,
    CarrierConflict,
    CarrierError,
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
from app.errors import Conflict, InvalidInput, NotFound, carrier_problem
from app.pickup_points.service import check_pickup_point, partial_acceptance_allowed
from app.shipments import schemas
from app.shipments.lifecycle import StatusReport, apply_status
from app.shipments.models import Shipment, ShipmentIdempotencyKey, ShipmentItem
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
            await _apply_request(session, shipment, body, config, canonical, digest)
        await _send(session, shipment, config, carrier, check_point=True)
    return shipment, True


def redrivable(cutoff: datetime) -> ColumnElement[bool]:
    """Pending since before `cutoff`, and the last attempt did not end in Ozon's refusal: the
    order may exist at Ozon (a lost answer, a crash before our commit) or was never asked for."""
    return and_(
        Shipment.ozon_order_id.is_(None),
        Shipment.status == "pending",
        Shipment.updated_at < cutoff,
        or_(Shipment.last_error_kind.is_(None), Shipment.last_error_kind != "refused"),
    )


async def resend_pending(
    sessions: async_sessionmaker[AsyncSession],
    shipment_id: uuid.UUID,
    config: DeliveryServiceConfig,
    carrier: Carrier,
    *,
    cutoff: datetime,
) -> bool:
    """The reconciler's create: the request last accepted, sent again; True once Ozon has it.

    Skips a shipment someone else holds (a post from Bitrix) or that no longer qualifies.
    """
    async with sessions() as session, session.begin():
        shipment = await session.scalar(
            select(Shipment)
            .where(Shipment.id == shipment_id, redrivable(cutoff))
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        if shipment is None:
            return False
        # Not the local pickup-point check: Ozon's 409 for an order it already has comes before
        # its own check of the point, which then judges a new order.
        await _send(session, shipment, config, carrier, check_point=False)
    return True


async def _send(
    session: AsyncSession,
    shipment: Shipment,
    config: DeliveryServiceConfig,
    carrier: Carrier,
    *,
    check_point: bool,
) -> None:
    """Create the locked shipment's order at Ozon (or adopt the one it has) and record it."""
    service = await session.get_one(DeliveryService, config.id)
    shipment.allow_partial_acceptance = config.partial_accept
    if shipment.delivery_type == "pickup_point" and shipment.pickup_point_id:
        point_id = shipment.pickup_point_id
        if check_point:
            try:
                packages = order_request(shipment, config).packages
                await check_pickup_point(session, point_id, packages)
            except InvalidInput as exc:
                # Refused here, not by Ozon: an earlier attempt's unknown outcome stays unknown.
                kind = shipment.last_error_kind or "refused"
                await _remember_failure(session, shipment, exc.detail, kind=kind)
                raise
        # Lockers never accept partially: Ozon is not asked to.
        shipment.allow_partial_acceptance = config.partial_accept and (
            await partial_acceptance_allowed(session, point_id)
        )
    created = await _create_at_carrier(session, shipment, config, carrier)
    shipment.ozon_order_id = created.order_id
    shipment.tracking_number = created.tracking_number
    shipment.last_error = None
    shipment.last_error_kind = None
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
            bound = await session.get(ShipmentIdempotencyKey, (body.shop_id, idempotency_key))
            if bound is not None:
                _check_same_body(bound, digest)
                return bound.shipment_id
        existing = await _by_bitrix_shipment(session, body.shop_id, body.bitrix_shipment_id)
        if existing is not None:
            if idempotency_key is not None:
                if existing.request_hash != digest and await _has_keys(session, existing.id):
                    raise InvalidInput(
                        "This Bitrix shipment was already sent with another Idempotency-Key "
                        "and a different body.",
                        loc=["header", "Idempotency-Key"],
                    )
                await _bind_key(session, body.shop_id, idempotency_key, existing.id, digest)
            return existing.id
        split = await _order_has_other_shipments(session, body)
        values = _row_values(body, config, canonical, digest)
        values["seller_order_number"] = seller_order_number(
            body.bitrix_order_id, body.bitrix_shipment_id, split=split
        )
        inserted = await session.scalar(
            insert(Shipment).values(**values).on_conflict_do_nothing().returning(Shipment.id)
        )
        if inserted is None:
            # A concurrent caller inserted it first: use theirs.
            await session.rollback()
            async with sessions() as again, again.begin():
                winner = await _by_bitrix_shipment(again, body.shop_id, body.bitrix_shipment_id)
                if winner is None:
                    raise Conflict(
                        f"seller_order_number {values['seller_order_number']} is already used by "
                        "another shipment of this shop."
                    )
                if idempotency_key is not None:
                    await _bind_key(again, body.shop_id, idempotency_key, winner.id, digest)
                return winner.id
        shipment_id: uuid.UUID = inserted
        session.add_all(_items(shipment_id, body))
        if idempotency_key is not None:
            await _bind_key(session, body.shop_id, idempotency_key, shipment_id, digest)
        return shipment_id


def _check_same_body(bound: ShipmentIdempotencyKey, digest: str) -> None:
    if bound.request_hash != digest:
        raise InvalidInput(
            "This Idempotency-Key was used with a different request body; "
            "use a new key for a different shipment.",
            loc=["header", "Idempotency-Key"],
        )


async def _has_keys(session: AsyncSession, shipment_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(ShipmentIdempotencyKey.key)
        .where(ShipmentIdempotencyKey.shipment_id == shipment_id)
        .limit(1)
    )
    return found is not None


async def _bind_key(
    session: AsyncSession, shop_id: uuid.UUID, key: str, shipment_id: uuid.UUID, digest: str
) -> None:
    """Bind the key to this shipment and body on its first use, whichever post that is."""
    inserted = await session.scalar(
        insert(ShipmentIdempotencyKey)
        .values(shop_id=shop_id, key=key, shipment_id=shipment_id, request_hash=digest)
        .on_conflict_do_nothing()
        .returning(ShipmentIdempotencyKey.key)
    )
    if inserted is None:
        # A concurrent request bound it first (the insert waited for its commit).
        _check_same_body(await session.get_one(ShipmentIdempotencyKey, (shop_id, key)), digest)


def _row_values(
    body: schemas.ShipmentCreate,
    config: DeliveryServiceConfig,
    canonical: dict[str, Any],
    digest: str,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "shop_id": body.shop_id,
        "delivery_service_id": config.id,
        "bitrix_delivery_id": body.bitrix_delivery_id,
        "bitrix_order_id": body.bitrix_order_id,
        "bitrix_shipment_id": body.bitrix_shipment_id,
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


async def _apply_request(
    session: AsyncSession,
    shipment: Shipment,
    body: schemas.ShipmentCreate,
    config: DeliveryServiceConfig,
    canonical: dict[str, Any],
    digest: str,
) -> None:
    """A pending shipment corrected by the shop: everything the request decides, replaced.

    The seller_order_number stays: it is what finds an order an earlier attempt may have made.
    """
    if body.bitrix_order_id != shipment.bitrix_order_id:
        raise InvalidInput(
            f"Bitrix shipment {shipment.bitrix_shipment_id} was sent as part of order "
            f"{shipment.bitrix_order_id}: send it with that bitrix_order_id.",
            loc=["body", "bitrix_order_id"],
        )
    if shipment.last_error_kind == "unknown" and config.id != shipment.delivery_service_id:
        raise Conflict(
            "The last attempt of this shipment may have reached Ozon through delivery service "
            f"{shipment.bitrix_delivery_id}: send it again with bitrix_delivery_id "
            f"{shipment.bitrix_delivery_id}, or as a new Bitrix shipment."
        )
    shipment.request = canonical
    shipment.request_hash = digest
    shipment.delivery_service_id = config.id
    shipment.bitrix_delivery_id = body.bitrix_delivery_id
    shipment.delivery_type = body.delivery_type
    shipment.option_id = body.option_id
    shipment.pickup_point_id = body.pickup_point_id
    shipment.payment_method = body.payment_method
    shipment.declared_value = body.declared_value
    shipment.paid_amount = body.paid_amount
    shipment.delivery_price = body.delivery_price
    shipment.items.clear()
    # The unit of work inserts before it deletes: the old rows go first, or a SKU kept by the
    # correction would collide with itself on (shipment_id, sku).
    await session.flush()
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
    except CarrierError as exc:
        problem = carrier_problem(
            exc,
            subject="the shipment",
            unavailable="Ozon Rocket did not confirm the shipment. It is saved as pending: send "
            "the same request again (it will not be created twice).",
        )
        kind = _failure_kind(exc, shipment.last_error_kind)
        await _remember_failure(session, shipment, problem.detail, kind=kind)
        raise problem from exc
    if created.recovered:
        await _check_recovered_is_ours(carrier, config, shipment, created)
    return created


def _failure_kind(exc: CarrierError, previous: str | None) -> str:
    """Unknown when the order may exist at Ozon now, refused when Ozon's answer rules it out."""
    if isinstance(exc, CarrierUnavailableError) or type(exc) is CarrierError:
        return "unknown"
    if isinstance(exc, CarrierValidationError | CarrierConflict | CarrierNotFound):
        # Ozon judged this very order (it checks the order number first): no earlier attempt
        # holds it.
        return "refused"
    # Refused before Ozon looked at the order (the key): says nothing about earlier attempts.
    return previous or "refused"


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
            "with other items: an earlier attempt of this shipment, before its correction, "
            "reached Ozon (send the shipment as it was, or cancel that order at Ozon), or "
            "another shop shares this SELLER_ID. Nothing was created."
        )


async def _remember_failure(
    session: AsyncSession, shipment: Shipment, message: str, *, kind: str
) -> None:
    shipment.last_error = message
    shipment.last_error_kind = kind
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
        if shipment.last_error_kind != "refused":
            # The last send's answer was lost: Ozon may hold the order. Cancelling only here
            # could leave it to be delivered; the reconciler learns which soon.
            raise Conflict(
                "Ozon Rocket has not confirmed this shipment and may still hold it (the answer "
                "to its last send was lost). Send it again (POST /api/v1/shipments: never a "
                "second order) or wait a few minutes for the bridge to learn, then cancel."
            )
        # Ozon refused every send: there is no order to cancel there. Cancelled here, so the
        # reconciler no longer sends it and Bitrix sees the cancellation.
        await _cancelled_here(session, shipment)
        return shipment
    if shipment.status != "created":
        raise Conflict(
            f"Ozon Rocket no longer allows cancelling: the shipment is {shipment.status}.",
            status_now=shipment.status,
        )
    config = await config_for(shipment.shop_id, shipment.bitrix_delivery_id)
    try:
        await carrier.cancel_order(config.credentials, shipment.ozon_order_id)
    except CarrierError as exc:
        raise carrier_problem(
            exc,
            subject="the cancellation",
            unavailable="Ozon Rocket did not answer; try cancelling again.",
        ) from exc
    await _cancelled_here(session, shipment)
    return shipment


async def _cancelled_here(session: AsyncSession, shipment: Shipment) -> None:
    service = await session.get_one(DeliveryService, shipment.delivery_service_id)
    await apply_status(
        session,
        shipment,
        StatusReport(status="cancelled", occurred_at=datetime.now(UTC), source="cancel"),
        service,
    )


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
    except CarrierError as exc:
        raise carrier_problem(
            exc,
            subject=f"reading order {shipment.ozon_order_id}",
            unavailable=("Ozon Rocket did not answer; try refreshing again."),
        ) from exc
    await apply_order_state(session, shipment, state, source="refresh")
    return shipment
