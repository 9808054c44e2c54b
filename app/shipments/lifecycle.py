"""Applying a carrier status to a shipment: one path for webhooks, reconciler, refresh, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import statuses
from app.domain.carrier import ItemOutcome
from app.outbox.service import enqueue
from app.returns import service as returns
from app.shipments.models import Shipment, StatusChange
from app.shops.models import DeliveryService

STATUS_PUSH = "status_push"


@dataclass(frozen=True)
class StatusReport:
    """A status as the carrier reported it, from whichever channel."""

    status: str
    occurred_at: datetime
    source: str  # create | webhook | reconciler | refresh | cancel
    event_id: str | None = None
    tracking_number: str | None = None
    items: Sequence[ItemOutcome] = ()
    cod_collected: Decimal | None = None


async def apply_status(
    session: AsyncSession, shipment: Shipment, report: StatusReport, service: DeliveryService
) -> bool:
    """Move the shipment forward (never back), record history, queue the push to Bitrix.

    Returns False when the report changes nothing (duplicate, late, or unknown status).
    The caller holds the shipment's row lock and commits.
    """
    now = datetime.now(UTC)
    shipment.last_ozon_update_at = now
    shipment.tracking_number = tracking_after(shipment.tracking_number, report.tracking_number)
    current = None if shipment.status == "pending" else shipment.status
    if not statuses.moves_forward(current, report.status):
        return False
    record_outcomes(shipment, report.items, report.cod_collected)
    previous = shipment.status
    shipment.status = report.status
    session.add(
        StatusChange(
            shipment_id=shipment.id,
            status=report.status,
            previous_status=previous,
            source=report.source,
            event_id=report.event_id,
            occurred_at=report.occurred_at,
        )
    )
    target = statuses.bitrix_target(report.status, service.status_map)
    shipment.bitrix_status_id = target.shipment_status
    enqueue(
        session,
        shop_id=shipment.shop_id,
        shipment_id=shipment.id,
        kind=STATUS_PUSH,
        payload=status_push_payload(
            PushSubject(
                shipment.bitrix_order_id,
                shipment.bitrix_shipment_id,
                shipment.bitrix_delivery_id,
                shipment.ozon_order_id,
            ),
            report.status,
            target,
            tracking_number=shipment.tracking_number,
        ),
    )
    # After the status push in the same transaction: Bitrix sees the status, then the basket.
    await returns.on_status(session, shipment, service, report.status)
    return True


@dataclass(frozen=True)
class PushSubject:
    """Which Bitrix shipment a status push is for."""

    bitrix_order_id: int
    bitrix_shipment_id: int
    bitrix_delivery_id: int
    ozon_order_id: str | None


def tracking_after(current: str | None, reported: str | None) -> str | None:
    """The first tracking number the carrier reports is kept; later ones do not replace it."""
    if current or not reported:
        return current
    return reported


def tracking_to_send(known: str | None, *, delivered: bool) -> str | None:
    """The tracking number a status push carries: the shipment's, until a push carrying it has
    reached Bitrix; after that none, and the shop keeps the field as its managers leave it."""
    if delivered or not known:
        return None
    return known


def status_push_payload(
    subject: PushSubject,
    ozon_status: str,
    target: statuses.BitrixTarget,
    *,
    tracking_number: str | None,
) -> dict[str, Any]:
    """The outbox message that sets the Bitrix shipment (and maybe order) status.

    `tracking_number` is the shipment's as known now; the dispatcher sends it (or the one learnt
    since) until a push carrying it has been delivered (`tracking_to_send`).
    """
    return {
        "bitrix_order_id": subject.bitrix_order_id,
        "bitrix_shipment_id": subject.bitrix_shipment_id,
        "bitrix_delivery_id": subject.bitrix_delivery_id,
        "ozon_status": ozon_status,
        "ozon_order_id": subject.ozon_order_id,
        "status_id": target.shipment_status,
        "order_status_id": target.order_status,
        "tracking_number": tracking_number,
    }


def record_outcomes(
    shipment: Shipment, items: Sequence[ItemOutcome], cod_collected: Decimal | None
) -> None:
    """Accepted and returned quantities per item, and the cash taken, as the carrier reports."""
    if cod_collected is not None:
        shipment.cod_collected = cod_collected
    by_sku = {item.sku: item for item in shipment.items}
    for outcome in items:
        item = by_sku.get(outcome.sku)
        if item is None:
            continue
        if outcome.accepted_quantity is not None:
            item.accepted_quantity = outcome.accepted_quantity
        if outcome.returned_quantity is not None:
            item.returned_quantity = outcome.returned_quantity
