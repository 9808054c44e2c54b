"""Ozon webhooks: verify on raw bytes, store once per event_id, apply through the state machine."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal

import structlog
from pydantic import ValidationError
from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from app.domain import statuses
from app.domain.carrier import ItemOutcome
from app.errors import InvalidInput, Unauthorized
from app.ozon.signature import SignatureError, verify
from app.shipments.lifecycle import StatusReport, apply_status
from app.shipments.models import Shipment
from app.shops.models import DeliveryService
from app.webhooks.models import WebhookEvent
from app.webhooks.schemas import OzonWebhook

log = structlog.get_logger(__name__)
STATUS_CHANGED = "order.status_changed"


def authenticate(
    secrets: Sequence[str],
    header: str | None,
    body: bytes,
    *,
    on_reject: Callable[[str], None] | None = None,
) -> None:
    """401 for any doubt; the reason goes to the log (and `on_reject`), not to the caller.

    `secrets` are the shop's (none for an unknown shop: also 401, nothing said about why)."""
    try:
        if not secrets:
            raise SignatureError("mismatch")
        verify(header, body, secrets, now=int(time.time()))
    except SignatureError as exc:
        log.warning("webhook_signature_rejected", reason=exc.reason)
        if on_reject is not None:
            on_reject(exc.reason)
        raise Unauthorized(
            "X-Ozon-Signature is missing, malformed, stale or does not match this shop's secret."
        ) from exc


def parse(body: bytes) -> OzonWebhook:
    try:
        # JSON on the wire is UTF-8 (RFC 8259); json.loads would also take UTF-16 or -32 bytes,
        # which the stored copy (the text of the body) cannot be.
        text = body.decode("utf-8")
        payload = json.loads(text, parse_float=Decimal)
        event = OzonWebhook.model_validate(payload)
    except (ValueError, ValidationError) as exc:
        raise InvalidInput("The webhook body is not a valid Ozon Rocket event.") from exc
    if event.event_type == STATUS_CHANGED and not statuses.is_known(event.status):
        raise InvalidInput(f"Unknown Ozon status {event.status!r}", loc=["body", "status"])
    return event


async def receive(
    session: AsyncSession, shop_id: uuid.UUID, event: OzonWebhook, body: bytes
) -> str:
    """Store the event once (as received) and apply it in the same transaction; returns the
    outcome. Plain status changes take the faster `direct_apply` path instead."""
    stored_id = await session.scalar(
        insert(WebhookEvent)
        .values(
            shop_id=shop_id,
            event_id=event.event_id,
            order_id=event.order_id,
            status=event.status,
            payload=cast(literal(body.decode(), String), JSONB),
        )
        .on_conflict_do_nothing()
        .returning(WebhookEvent.id)
    )
    if stored_id is None:
        return "duplicate_event"
    outcome = await _apply(session, shop_id, event)
    await session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == stored_id)
        .values(outcome=outcome, processed_at=func.now())
    )
    return outcome


async def _apply(session: AsyncSession, shop_id: uuid.UUID, event: OzonWebhook) -> str:
    if event.event_type != STATUS_CHANGED:
        return "ignored_event_type"
    shipment = await session.scalar(
        select(Shipment)
        .where(Shipment.shop_id == shop_id, Shipment.ozon_order_id == event.order_id)
        .with_for_update()
        # The state machine needs the items, not the history or the return: one query less each.
        .options(raiseload(Shipment.history), raiseload(Shipment.return_record))
    )
    if shipment is None:
        log.warning("webhook_unknown_order", ozon_order_id=event.order_id)
        return "unknown_order"
    structlog.contextvars.bind_contextvars(shipment_id=str(shipment.id))
    service = await session.get_one(DeliveryService, shipment.delivery_service_id)
    changed = await apply_status(
        session,
        shipment,
        StatusReport(
            status=event.status,
            occurred_at=event.occurred_at,
            source="webhook",
            event_id=event.event_id,
            tracking_number=event.tracking_number,
            items=[
                ItemOutcome(i.sku, i.quantity, i.accepted_quantity, i.returned_quantity)
                for i in event.items
            ],
            cod_collected=event.cod_collected,
        ),
        service,
    )
    return "applied" if changed else "stale"
