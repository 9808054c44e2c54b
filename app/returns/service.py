"""Turning a partial acceptance or a refusal into a return record and the changes Bitrix needs."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.money import ZERO, format_rub, money
from app.domain.partial import LineOutcome, Settlement, manager_comment, settle
from app.outbox.service import enqueue
from app.returns.models import ShipmentReturn
from app.shipments.models import Shipment
from app.shops.models import DeliveryService

log = structlog.get_logger(__name__)

PARTIAL_APPLY = "partial_apply"
MANAGER_NOTE = "manager_note"
SETTLING = frozenset({"partial_delivered", "returned"})


def outcome_known(shipment: Shipment) -> bool:
    return all(
        i.accepted_quantity is not None and i.returned_quantity is not None for i in shipment.items
    )


def delivery_price_of(shipment: Shipment) -> Decimal:
    """The delivery price the buyer was charged: as sent, else what was paid above the goods."""
    if shipment.delivery_price is not None:
        return money(shipment.delivery_price)
    return max(money(shipment.paid_amount) - money(shipment.declared_value), ZERO)


def settlement_for(shipment: Shipment, service: DeliveryService) -> Settlement:
    lines = [
        LineOutcome(
            basket_item_id=item.bitrix_basket_item_id,
            sku=item.sku,
            name=item.name,
            quantity=item.quantity,
            price=money(item.price),
            accepted=item.accepted_quantity or 0,
            returned=item.returned_quantity or 0,
        )
        for item in shipment.items
    ]
    return settle(
        lines,
        delivery_price=delivery_price_of(shipment),
        refund_delivery_on_partial=service.refund_delivery_on_partial,
        payment_method="cash_on_delivery"
        if shipment.payment_method == "cash_on_delivery"
        else "prepaid",
        paid=money(shipment.paid_amount),
        cod_collected=shipment.cod_collected,
        partial_allowed=shipment.allow_partial_acceptance,
    )


async def on_status(
    session: AsyncSession, shipment: Shipment, service: DeliveryService, status: str
) -> ShipmentReturn | None:
    """Called with the shipment locked, after its status moved: open, receive or settle a return.

    Applies once: the return is unique per shipment, and the state machine never repeats a status.
    """
    if status not in SETTLING:
        return None  # in transit, arrived, delivered, cancelled: no goods come back
    existing = await session.scalar(
        select(ShipmentReturn).where(ShipmentReturn.shipment_id == shipment.id)
    )
    if existing is not None:
        if status == "returned":
            existing.state = "received"
            if existing.refund_state in ("not_needed", "done", "inner_account"):
                existing.state = "closed"
        return existing
    if not outcome_known(shipment):
        # The event lacked per-item quantities: the reconciler fetches them from Ozon.
        log.info("return_waits_for_item_outcome", shipment_id=str(shipment.id))
        return None
    return open_return(session, shipment, service, received=status == "returned")


def open_return(
    session: AsyncSession, shipment: Shipment, service: DeliveryService, *, received: bool
) -> ShipmentReturn:
    settlement = settlement_for(shipment, service)
    comment = manager_comment(
        settlement,
        ozon_order_id=shipment.ozon_order_id or "",
        bitrix_order_id=shipment.bitrix_order_id,
    )
    refund_state = "pending" if settlement.refund_due > ZERO else "not_needed"
    record = ShipmentReturn(
        id=uuid.uuid4(),
        shop_id=shipment.shop_id,
        shipment_id=shipment.id,
        state="received" if received else "expected",
        items=[
            {
                "bitrix_basket_item_id": line.basket_item_id,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "accepted": line.accepted,
                "returned": line.returned,
                "price": str(line.price),
                "returned_amount": str(line.returned_total),
            }
            for line in settlement.lines
        ],
        goods_before=settlement.goods_before,
        goods_after=settlement.goods_after,
        delivery_before=settlement.delivery_before,
        delivery_after=settlement.delivery_after,
        total_after=settlement.total_after,
        payment_method=settlement.payment_method,
        paid=settlement.paid,
        refund_due=settlement.refund_due,
        refund_state=refund_state,
        expected_cash=settlement.expected_cash,
        cod_collected=settlement.cod_collected,
        anomalies=[*settlement.anomalies, *settlement.warnings],
        bitrix_state="pending" if settlement.automatic else "manual",
        comment=comment,
    )
    session.add(record)
    if settlement.automatic:
        enqueue(
            session,
            shop_id=shipment.shop_id,
            shipment_id=shipment.id,
            kind=PARTIAL_APPLY,
            payload={
                "return_id": str(record.id),
                **partial_apply_payload(shipment, settlement, comment),
            },
        )
    else:
        if refund_state == "pending":
            record.refund_state = "manual"
            record.refund_detail = "automation stopped: a manager decides the refund"
        enqueue(
            session,
            shop_id=shipment.shop_id,
            shipment_id=shipment.id,
            kind=MANAGER_NOTE,
            payload={
                "return_id": str(record.id),
                "bitrix_order_id": shipment.bitrix_order_id,
                "comment": comment,
            },
        )
        log.warning(
            "return_needs_manager", shipment_id=str(shipment.id), anomalies=settlement.anomalies
        )
    return record


def partial_apply_payload(
    shipment: Shipment, settlement: Settlement, comment: str
) -> dict[str, Any]:
    refund = settlement.refund_due
    what = "отказ от заказа" if settlement.fully_refused else "частичный выкуп"
    reason = f"Ozon Rocket: {what}, заказ {shipment.ozon_order_id}"
    return {
        "bitrix_order_id": shipment.bitrix_order_id,
        "bitrix_shipment_id": shipment.bitrix_shipment_id,
        "ozon_order_id": shipment.ozon_order_id,
        "shipment_status_id": shipment.bitrix_status_id,
        "lines": [
            {
                "basketId": line.basket_item_id,
                "quantity": line.quantity,
                "acceptedQuantity": line.accepted,
            }
            for line in settlement.lines
        ],
        "delivery_price": str(settlement.delivery_after),
        "delivery_refunded": settlement.delivery_after < settlement.delivery_before,
        "refund": {"amount": str(refund), "reason": reason} if refund > ZERO else None,
        "full_refund": refund > ZERO and refund == settlement.paid,
        "comment": comment,
        "expected_total": str(settlement.total_after),
        "manual_refund_note": (
            f"Возврат не выполнен автоматически: верните покупателю {format_rub(refund)} "
            f"по заказу {shipment.bitrix_order_id}."
        )
        if refund > ZERO
        else None,
    }
