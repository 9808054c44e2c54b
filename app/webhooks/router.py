"""POST /webhooks/ozon-rocket/{shop_id}: authenticated by X-Ozon-Signature, not a token."""

from __future__ import annotations

import uuid
from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Request

from app.deps import RuntimeDep, SessionDep
from app.errors import ERROR_RESPONSES
from app.shops.models import Shop
from app.webhooks import service
from app.webhooks.schemas import WebhookAck

router = APIRouter(tags=["webhooks"], responses=ERROR_RESPONSES)


@router.post("/webhooks/ozon-rocket/{shop_id}", summary="Ozon Rocket status webhook")
async def ozon_webhook(
    shop_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    x_ozon_signature: Annotated[str | None, Header()] = None,
) -> WebhookAck:
    """Verified on the raw body (HMAC-SHA256, ±300 s, either of the shop's two secrets) before it
    is parsed; 401 stores nothing. Stored once per `event_id` and applied at once: a replay is 200
    and changes nothing, a late or out-of-order status never moves the shipment backwards."""
    structlog.contextvars.bind_contextvars(shop_id=str(shop_id))
    body = await request.body()
    shop = await session.get(Shop, shop_id)
    service.authenticate(
        shop,
        runtime.secrets,
        x_ozon_signature,
        body,
        on_reject=runtime.metrics.webhook_rejected,
    )
    event = service.parse(body)
    outcome = await service.receive(session, shop_id, event)
    return WebhookAck(event_id=event.event_id, outcome=outcome)
