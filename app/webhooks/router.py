"""POST /webhooks/ozon-rocket/{shop_id}: authenticated by X-Ozon-Signature, not a token."""

from __future__ import annotations

import uuid

import structlog
from fastapi import APIRouter, Request, Response

from app.db import asyncpg_connection
from app.errors import ERROR_RESPONSES, NotFound
from app.runtime import Runtime
from app.schemas import inline_schema
from app.webhooks import direct_apply, service
from app.webhooks.schemas import OzonWebhook, WebhookAck

router = APIRouter(tags=["webhooks"], responses=ERROR_RESPONSES)


# The route reads its path, header and body itself (FastAPI's parameter machinery was a tenth of
# a webhook's CPU); this tells /docs what it reads.
_OPENAPI = {
    "parameters": [
        {
            "name": "shop_id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "uuid"},
        },
        {
            "name": "X-Ozon-Signature",
            "in": "header",
            "required": True,
            "description": "t=<unix time>,v1=<hex HMAC-SHA256 of '{t}.{raw body}'>",
            "schema": {"type": "string"},
        },
    ],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": inline_schema(OzonWebhook)}},
    },
}


@router.post(
    "/webhooks/ozon-rocket/{shop_id}",
    summary="Ozon Rocket status webhook",
    response_model=WebhookAck,
    openapi_extra=_OPENAPI,
)
async def ozon_webhook(request: Request) -> Response:
    """Verified on the raw body (HMAC-SHA256, ±300 s, either of the shop's two secrets) before it
    is parsed; 401 stores nothing. Stored once per `event_id` and applied at once: a replay is 200
    and changes nothing, a late or out-of-order status never moves the shipment backwards."""
    runtime: Runtime = request.app.state.runtime
    try:
        shop_id = uuid.UUID(request.path_params["shop_id"])
    except ValueError:
        raise NotFound("No shop has this id.") from None
    structlog.contextvars.bind_contextvars(shop_id=str(shop_id))
    body = await request.body()
    service.authenticate(
        await runtime.lookup.webhook_secrets(shop_id),
        request.headers.get("x-ozon-signature"),
        body,
        on_reject=runtime.metrics.webhook_rejected,
    )
    event = service.parse(body)
    # Request connections queue first-come-first-served in front of the pool (see deps).
    async with runtime.request_sessions:
        if direct_apply.handles(event):
            async with asyncpg_connection(runtime.engine) as conn:
                outcome = await direct_apply.receive(conn, shop_id, event, body)
        else:
            async with runtime.session_factory.begin() as session:
                outcome = await service.receive(session, shop_id, event, body)
    ack = WebhookAck(event_id=event.event_id, outcome=outcome)
    return Response(ack.model_dump_json(), media_type="application/json")
