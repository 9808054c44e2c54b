"""The common webhook, a status that settles nothing, stored and applied in two SQL statements.

Most of Ozon's webhooks move a shipment along (in transit, arrived, delivered). The ORM path
(`service.receive`) spent ~9 ms of CPU on each and capped one process near 110 webhooks/s; here
one statement reads the shipment, and one (its own transaction) moves it if its status is still
the one read, and writes the accepted quantities, the history row, the outbox push and the event
with its outcome, on the pooled asyncpg connection. The decisions are the ORM path's own pure
functions (`statuses`, `lifecycle.tracking_after`, `lifecycle.status_push_payload`), so the two
cannot disagree.
Statuses that open or settle a return (`returns.SETTLING`) and other event types take the ORM path.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import structlog

from app.db import json_dumps
from app.domain import statuses
from app.errors import ShipmentBusy
from app.returns.service import SETTLING
from app.shipments.lifecycle import STATUS_PUSH, PushSubject, status_push_payload, tracking_after
from app.webhooks.schemas import OzonWebhook
from app.webhooks.service import STATUS_CHANGED

log = structlog.get_logger(__name__)

# Everything the decision needs, read without a lock: the write below re-checks the status.
_READ = """
SELECT s.id, s.status, s.tracking_number, s.bitrix_order_id,
       s.bitrix_shipment_id, s.bitrix_delivery_id, d.status_map,
       EXISTS (SELECT FROM webhook_events WHERE shop_id = $1 AND event_id = $2) AS seen
FROM (SELECT) AS one
LEFT JOIN (
    shipments AS s JOIN delivery_services AS d ON d.id = s.delivery_service_id
) ON s.shop_id = $1 AND s.ozon_order_id = $3
LIMIT 1
"""

# One statement, so one transaction without BEGIN and COMMIT round trips. The status moves only
# if it is still the one read ($8); else nothing is written and the caller reads again. The event
# is inserted without ON CONFLICT: a replay racing this one fails the whole statement instead.
_APPLY = """
WITH shipment AS (
    UPDATE shipments
    SET status = $9, bitrix_status_id = $10, tracking_number = $11,
        cod_collected = COALESCE($12::numeric, cod_collected),
        last_ozon_update_at = now(), updated_at = now()
    WHERE id = $7 AND status = $8
    RETURNING id
), event AS (
    INSERT INTO webhook_events
        (shop_id, event_id, order_id, status, payload, outcome, processed_at)
    SELECT $1, $2, $3, $4, $5::jsonb, $6, now() FROM shipment
), items AS (
    UPDATE shipment_items AS item
    SET accepted_quantity = COALESCE(outcome.accepted, item.accepted_quantity),
        returned_quantity = COALESCE(outcome.returned, item.returned_quantity)
    FROM unnest($13::text[], $14::int[], $15::int[]) AS outcome(sku, accepted, returned),
         shipment
    WHERE item.shipment_id = shipment.id AND item.sku = outcome.sku
), history AS (
    INSERT INTO status_history
        (shipment_id, status, previous_status, source, event_id, occurred_at)
    SELECT id, $9, $8, 'webhook', $2, $16 FROM shipment
), push AS (
    INSERT INTO outbox (shop_id, shipment_id, kind, payload, state, attempts)
    SELECT $1, id, $17, $18::jsonb, 'pending', 0 FROM shipment
)
SELECT count(*) FROM shipment
"""

# A late or repeated status: the event is recorded, the shipment only learns that Ozon spoke
# (and the tracking number, if it had none).
_STALE = """
WITH event AS (
    INSERT INTO webhook_events
        (shop_id, event_id, order_id, status, payload, outcome, processed_at)
    VALUES ($1, $2, $3, $4, $5::jsonb, $6, now())
)
UPDATE shipments SET tracking_number = COALESCE(NULLIF(tracking_number, ''), $8, tracking_number),
    last_ozon_update_at = now(), updated_at = now()
WHERE id = $7
"""

_UNKNOWN_ORDER = """
INSERT INTO webhook_events (shop_id, event_id, order_id, status, payload, outcome, processed_at)
VALUES ($1, $2, $3, $4, $5::jsonb, $6, now())
"""

# Another writer moved the shipment between the read and the write, again and again: give up
# with a 503 and let Ozon retry, rather than spin.
_ATTEMPTS = 5


def handles(event: OzonWebhook) -> bool:
    """True for the webhooks this path applies: status changes that open no return."""
    return event.event_type == STATUS_CHANGED and event.status not in SETTLING


async def receive(conn: Any, shop_id: uuid.UUID, event: OzonWebhook, body: bytes) -> str:
    """Store the event once and apply it; returns the outcome as `service.receive` names it.

    `conn` is an asyncpg connection outside any transaction. The body is stored as received.
    """
    stored = (shop_id, event.event_id, event.order_id, event.status, body.decode())
    try:
        for _ in range(_ATTEMPTS):
            row = await conn.fetchrow(_READ, shop_id, event.event_id, event.order_id)
            if row["seen"]:
                return "duplicate_event"
            if row["id"] is None:
                log.warning("webhook_unknown_order", ozon_order_id=event.order_id)
                await conn.execute(_UNKNOWN_ORDER, *stored, "unknown_order")
                return "unknown_order"
            structlog.contextvars.bind_contextvars(shipment_id=str(row["id"]))
            outcome = await _apply(conn, stored, event, row)
            if outcome is not None:
                return outcome
    except asyncpg.UniqueViolationError:
        return "duplicate_event"  # the same event, applied by a request that won the race
    raise ShipmentBusy(
        "This shipment is being updated by other requests; retry the webhook in a few seconds."
    )


async def _apply(conn: Any, stored: tuple[Any, ...], event: OzonWebhook, row: Any) -> str | None:
    """'applied' or 'stale'; None when the shipment moved since it was read."""
    current = None if row["status"] == "pending" else row["status"]
    if not statuses.moves_forward(current, event.status):
        await conn.execute(_STALE, *stored, "stale", row["id"], event.tracking_number or None)
        return "stale"
    status_map = row["status_map"]
    if isinstance(status_map, str):  # a connection without SQLAlchemy's jsonb codec
        status_map = json.loads(status_map)
    target = statuses.bitrix_target(event.status, status_map)
    tracking = tracking_after(row["tracking_number"], event.tracking_number)
    payload = status_push_payload(
        PushSubject(
            row["bitrix_order_id"],
            row["bitrix_shipment_id"],
            row["bitrix_delivery_id"],
            event.order_id,
        ),
        event.status,
        target,
        tracking_number=tracking,
    )
    moved = await conn.fetchval(
        _APPLY,
        *stored,
        "applied",
        row["id"],
        row["status"],
        event.status,
        target.shipment_status,
        tracking,
        event.cod_collected,
        [item.sku for item in event.items],
        [item.accepted_quantity for item in event.items],
        [item.returned_quantity for item in event.items],
        event.occurred_at,
        STATUS_PUSH,
        json_dumps(payload),
    )
    return "applied" if moved else None
