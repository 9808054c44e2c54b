"""The JSON shapes the emulator answers and pushes, field for field as in the contract."""

from __future__ import annotations

from app.sandbox.ozon_rocket.network import PickupPoint
from app.sandbox.ozon_rocket.orders import OUTCOME_STATUSES, Order, StatusChange
from app.sandbox.ozon_rocket.pricing import Option
from app.sandbox.ozon_rocket.wire import Json, format_time


def option_view(option: Option) -> dict[str, Json]:
    return {
        "option_id": option.option_id,
        "delivery_type": option.delivery_type,
        "tariff": option.tariff,
        "price": option.price,
        "currency": option.currency,
        "days_min": option.days_min,
        "days_max": option.days_max,
        "partial_acceptance": option.partial_acceptance,
        "cash_on_delivery": option.cash_on_delivery,
    }


def created_order_view(order: Order) -> dict[str, Json]:
    return {
        "order_id": order.order_id,
        "seller_order_number": order.seller_order_number,
        "status": order.status,
        "tracking_number": order.tracking_number,
        "created_at": format_time(order.created_at),
        # Not in the contract: a harmless extra that keeps clients ignoring unknown fields.
        "partial_acceptance": order.partial_acceptance,
    }


def _items(order: Order) -> list[Json]:
    with_outcome = order.status in OUTCOME_STATUSES
    items: list[Json] = []
    for line in order.lines:
        item: dict[str, Json] = {"sku": line.sku, "quantity": line.quantity}
        if with_outcome:
            item["accepted_quantity"] = line.accepted_quantity
            item["returned_quantity"] = line.returned_quantity
        items.append(item)
    return items


def order_view(order: Order) -> dict[str, Json]:
    return {
        "order_id": order.order_id,
        "seller_order_number": order.seller_order_number,
        "status": order.status,
        "tracking_number": order.tracking_number,
        "created_at": format_time(order.created_at),
        "updated_at": format_time(order.updated_at),
        "status_history": [
            {"status": change.status, "at": format_time(change.at)} for change in order.history
        ],
        "items": _items(order),
        "cod_collected": order.cod_collected,
        "partial_acceptance": order.partial_acceptance,
    }


def event_view(event_id: str, order: Order, change: StatusChange) -> dict[str, Json]:
    """A webhook body; items and cash only at the statuses that settle them."""
    body: dict[str, Json] = {
        "event_id": event_id,
        "event_type": "order.status_changed",
        "occurred_at": format_time(change.at),
        "order_id": order.order_id,
        "seller_order_number": order.seller_order_number,
        "status": change.status,
        "previous_status": change.previous_status,
        "tracking_number": order.tracking_number,
    }
    if change.status in OUTCOME_STATUSES:
        body["items"] = _items(order)
        body["cod_collected"] = order.cod_collected
    return body


def point_view(point: PickupPoint) -> dict[str, Json]:
    return {
        "id": point.id,
        "type": point.type,
        "name": point.name,
        "city": point.city,
        "address": point.address,
        "lat": point.lat,
        "lon": point.lon,
        "working_hours": point.working_hours,
        "max_weight": point.max_weight,
        "max_length": point.max_length,
        "max_width": point.max_width,
        "max_height": point.max_height,
        "cash_on_delivery": point.cash_on_delivery,
        "card_payment": point.card_payment,
        "partial_acceptance": point.partial_acceptance,
        "is_active": point.is_active,
        "updated_at": format_time(point.updated_at),
    }
