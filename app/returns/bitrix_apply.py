"""Telling Bitrix about a return: basket, delivery price, comment, refund, then reading it back.

Every step is computed from the order as Bitrix has it now, so a retry after a half-applied
attempt does only what is still missing. A refund is recorded as done only when something
moved the money (our module's pay-system or inner-account refund); otherwise it is a manager's
task, and the record and the order comment say so.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.bitrix.port import BatchOutcome, Command
from app.domain.money import ZERO, format_rub, money
from app.outbox.models import OutboxMessage
from app.returns.models import ShipmentReturn

log = structlog.get_logger(__name__)

MAX_LINE_COMMANDS = 40  # of a batch's 50, the rest is the shipment, comment, payments and check
REFUND_MOVED = frozenset({"done", "inner_account"})


class MessageRefused(Exception):
    """Bitrix cannot apply this message as it stands (retried, then dead-lettered)."""


class ShopChannel(Protocol):
    """One shop's Bitrix, with its rate limit applied to every request."""

    async def call(self, method: str, params: dict[str, Any]) -> Any: ...

    async def batch(self, commands: dict[str, Command]) -> BatchOutcome: ...


async def apply_partial(
    channel: ShopChannel, message: OutboxMessage, session: AsyncSession, *, module: bool
) -> dict[str, Any]:
    record = await session.get_one(ShipmentReturn, uuid.UUID(message.payload["return_id"]))
    if module:
        result = await _through_module(channel, message.payload)
        price = money(Decimal(str(result["orderPrice"])))
        refund = result.get("refund") or {}
        if record.refund_due > ZERO:
            status = str(refund.get("status") or "manual")
            record.refund_state = status if status in (*REFUND_MOVED, "manual") else "manual"
            record.refund_detail = str(refund.get("detail") or status)
    else:
        price = await _through_sale_methods(channel, message.payload)
        if record.refund_due > ZERO:
            record.refund_state = "manual"
            record.refund_detail = (
                "payment marked as returned in Bitrix (isReturn=Y); "
                "return the money through the pay system"
                if message.payload.get("full_refund")
                else "no module: a manager refunds " + format_rub(record.refund_due) + " by hand"
            )
    await _check_total(channel, record, message.payload, price)
    if record.state == "received" and record.refund_state in (*REFUND_MOVED, "not_needed"):
        record.state = "closed"
    return {"order_price": str(price), "refund_state": record.refund_state}


async def add_manager_note(channel: ShopChannel, message: OutboxMessage) -> dict[str, Any]:
    order_id = message.payload["bitrix_order_id"]
    order = (await channel.call("sale.order.get", {"id": order_id}))["order"]
    marker = _marker(message.payload["return_id"])
    comments = str(order.get("comments") or "")
    if marker not in comments:
        await channel.call(
            "sale.order.update",
            {
                "id": order_id,
                "fields": {"comments": _append(comments, message.payload["comment"], marker)},
            },
        )
    return {"noted": True}


async def _through_module(channel: ShopChannel, payload: dict[str, Any]) -> dict[str, Any]:
    refund = payload.get("refund")
    result: dict[str, Any] = await channel.call(
        "ozonrocket.partial.apply",
        {
            "orderId": payload["bitrix_order_id"],
            "shipmentId": payload["bitrix_shipment_id"],
            # Idempotent at the module: the same return never applies twice.
            "operationId": "pa_" + payload["return_id"].replace("-", ""),
            "lines": [
                {"basketId": line["basketId"], "acceptedQuantity": line["acceptedQuantity"]}
                for line in payload["lines"]
            ],
            "deliveryPrice": Decimal(payload["delivery_price"]),
            "refund": {"amount": Decimal(refund["amount"]), "reason": refund["reason"]}
            if refund
            else None,
            "comment": payload["comment"],
        },
    )
    return result


async def _through_sale_methods(channel: ShopChannel, payload: dict[str, Any]) -> Decimal:
    order_id = payload["bitrix_order_id"]
    order = (await channel.call("sale.order.get", {"id": order_id}))["order"]
    basket = {int(item["id"]): Decimal(str(item["quantity"])) for item in order["basketItems"]}
    # A deducted shipment holds its items: Bitrix wants them lowered before the basket.
    commands = _deducted_shipment_items(order, payload, basket)
    for line in payload["lines"]:
        basket_id, accepted = int(line["basketId"]), int(line["acceptedQuantity"])
        current = basket.get(basket_id)
        if accepted == 0:
            if current is not None:
                commands[f"del{basket_id}"] = Command("sale.basketitem.delete", {"id": basket_id})
        elif current is None:
            raise MessageRefused(f"basket line {basket_id} is gone from order {order_id}")
        elif current != accepted:
            commands[f"qty{basket_id}"] = Command(
                "sale.basketitem.update", {"id": basket_id, "fields": {"quantity": accepted}}
            )
    if len(commands) > MAX_LINE_COMMANDS:
        raise MessageRefused(f"{len(commands)} basket changes: too many for one batch")
    if payload.get("delivery_refunded"):
        commands.update(_delivery_refund(payload["bitrix_shipment_id"]))
    marker = _marker(payload["return_id"])
    comments = str(order.get("comments") or "")
    if marker not in comments:
        note = payload["comment"]
        if payload.get("manual_refund_note"):
            note = f"{note} {payload['manual_refund_note']}"
        commands["comment"] = Command(
            "sale.order.update",
            {"id": order_id, "fields": {"comments": _append(comments, note, marker)}},
        )
    if payload.get("full_refund"):
        commands.update(_mark_payments_returned(order, payload))
    commands["check"] = Command("sale.order.get", {"id": order_id})
    outcome = await channel.batch(commands)
    if outcome.throttled is not None:
        # The shop's limits, not this return: the shop waits, the message is not failed.
        raise outcome.throttled
    if outcome.errors:
        raise MessageRefused(
            "; ".join(f"{k}: {e.code} {e.description}" for k, e in outcome.errors.items())
        )
    return money(Decimal(str(outcome.results["check"]["order"]["price"])))


def _deducted_shipment_items(
    order: dict[str, Any], payload: dict[str, Any], basket: dict[int, Decimal]
) -> dict[str, Command]:
    shipment = next(
        (
            s
            for s in order.get("shipments", [])
            if int(s["id"]) == int(payload["bitrix_shipment_id"])
        ),
        None,
    )
    if shipment is None or shipment.get("deducted") != "Y":
        return {}
    held = {int(i["basketId"]): i for i in shipment.get("shipmentItems", [])}
    commands: dict[str, Command] = {}
    for line in payload["lines"]:
        basket_id, accepted = int(line["basketId"]), int(line["acceptedQuantity"])
        item = held.get(basket_id)
        if item is None or basket.get(basket_id) is None:
            continue
        if Decimal(str(item["quantity"])) > accepted:
            commands[f"si{item['id']}"] = Command(
                "sale.shipmentitem.update", {"id": item["id"], "fields": {"quantity": accepted}}
            )
    return commands


def _delivery_refund(shipment_id: int) -> dict[str, Command]:
    """Delivery price to zero; every other field re-sent as it is (sale.shipment.update trap)."""
    current = "$result[ship][shipment]"
    return {
        "ship": Command("sale.shipment.get", {"id": shipment_id}),
        "shipfree": Command(
            "sale.shipment.update",
            {
                "id": shipment_id,
                "fields": {
                    "deliveryId": f"{current}[deliveryId]",
                    "allowDelivery": f"{current}[allowDelivery]",
                    "deducted": f"{current}[deducted]",
                    "statusId": f"{current}[statusId]",
                    "basePriceDelivery": "0",
                    "priceDelivery": "0",
                },
            },
        ),
    }


def _mark_payments_returned(order: dict[str, Any], payload: dict[str, Any]) -> dict[str, Command]:
    """A full refund without the module: the paid payments carry Bitrix's return fields."""
    commands: dict[str, Command] = {}
    today = datetime.now(UTC).date().isoformat()
    for payment in order.get("payments", []):
        if payment.get("paid") != "Y" or payment.get("isReturn") == "Y":
            continue
        commands[f"pay{payment['id']}"] = Command(
            "sale.payment.update",
            {
                "id": payment["id"],
                "fields": {
                    "paySystemId": payment["paySystemId"],
                    "isReturn": "Y",
                    "payReturnNum": payload.get("ozon_order_id") or "",
                    "payReturnDate": today,
                    "payReturnComment": (payload.get("refund") or {}).get("reason", ""),
                },
            },
        )
    return commands


async def _check_total(
    channel: ShopChannel, record: ShipmentReturn, payload: dict[str, Any], price: Decimal
) -> None:
    """Bitrix should have recalculated the order; if it did not, say so, don't paper over it."""
    record.bitrix_order_price = price
    expected = money(Decimal(payload["expected_total"]))
    if price == expected:
        record.bitrix_state = "applied"
        return
    record.bitrix_state = "mismatch"
    problem = f"Bitrix order total is {format_rub(price)}, expected {format_rub(expected)}"
    record.anomalies = [*record.anomalies, problem]
    log.warning(
        "return_total_mismatch", return_id=str(record.id), bitrix=str(price), expected=str(expected)
    )
    order_id = payload["bitrix_order_id"]
    order = (await channel.call("sale.order.get", {"id": order_id}))["order"]
    marker = _marker(payload["return_id"]) + "!"
    comments = str(order.get("comments") or "")
    if marker not in comments:
        note = (
            f"Внимание: Bitrix не пересчитал сумму заказа — {format_rub(price)} "
            f"вместо {format_rub(expected)}. Проверьте заказ вручную."
        )
        await channel.call(
            "sale.order.update",
            {"id": order_id, "fields": {"comments": _append(comments, note, marker)}},
        )


def _marker(return_id: str) -> str:
    # Lets a retried message see that its comment is already there.
    return f"[ozon-return {return_id[:8]}]"


def _append(existing: str, note: str, marker: str) -> str:
    return f"{existing}\n\n{note} {marker}" if existing.strip() else f"{note} {marker}"
