"""What an outbox message becomes in Bitrix REST: the commands of one batch, per message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.bitrix.port import Command


def status_push_commands(
    key: str, payload: Mapping[str, Any], *, module: bool
) -> dict[str, Command]:
    """A shipment status (and tracking number, and optional order status) for Bitrix.

    With our module: one call that keeps the shipment's other fields. Without it, the trap in
    `sale.shipment.update` (deliveryId, allowDelivery, deducted required; prices zeroed and the
    status reset to DN when omitted) is avoided by reading the shipment in the same batch and
    sending its current values back through `$result[...]` references.

    Only `priceDelivery` goes back: Bitrix sets both prices from `basePriceDelivery` when it is
    sent and ignores `priceDelivery`, so re-sending the base price would charge a free or
    discounted delivery at full price. The buyer's price is kept; the base price follows it.
    """
    shipment_id = payload["bitrix_shipment_id"]
    status_id = payload["status_id"]
    tracking = payload.get("tracking_number")
    order_status = payload.get("order_status_id")
    if module:
        params: dict[str, Any] = {"shipmentId": shipment_id, "statusId": status_id}
        if tracking:
            params["trackingNumber"] = tracking
        if order_status:
            params["orderStatusId"] = order_status
        return {f"{key}_s": Command("ozonrocket.shipment.status", params)}

    get_key = f"{key}_g"
    current = f"$result[{get_key}][shipment]"
    fields: dict[str, Any] = {
        "deliveryId": f"{current}[deliveryId]",
        "allowDelivery": f"{current}[allowDelivery]",
        "deducted": f"{current}[deducted]",
        "priceDelivery": f"{current}[priceDelivery]",
        "statusId": status_id,
    }
    if tracking:
        fields["trackingNumber"] = tracking
    commands = {
        get_key: Command("sale.shipment.get", {"id": shipment_id}),
        f"{key}_u": Command("sale.shipment.update", {"id": shipment_id, "fields": fields}),
    }
    if order_status:
        commands[f"{key}_o"] = Command(
            "sale.order.update",
            {"id": payload["bitrix_order_id"], "fields": {"statusId": order_status}},
        )
    return commands
