"""The project's own Bitrix module methods (`ozonrocket.*`), as bitrix-module-rest.md says."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from app.domain.money import ZERO, format_rub, money
from app.sandbox.bitrix.clock import bitrix_datetime
from app.sandbox.bitrix.context import CallContext, Handler, MethodResult
from app.sandbox.bitrix.errors import module_error
from app.sandbox.bitrix.models import BasketItem, Order, RefundRecord
from app.sandbox.bitrix.params import Params, as_list, to_decimal, to_int
from app.sandbox.bitrix.portal import Portal

ORDER_NOT_FOUND = "OZONROCKET_ORDER_NOT_FOUND"
BAD_LINES = "OZONROCKET_BAD_LINES"
ORDER_LOCKED = "OZONROCKET_ORDER_LOCKED"
# Not in the contract: a malformed call outside `lines` (no operationId, a negative price, an
# unknown status). The real module has to answer something; this is what the emulator answers.
BAD_REQUEST = "OZONROCKET_BAD_REQUEST"


@dataclass(frozen=True)
class _Line:
    item: BasketItem
    accepted: Decimal


@dataclass(frozen=True)
class _Refund:
    amount: Decimal
    reason: str


def partial_apply(ctx: CallContext, params: Params) -> MethodResult:
    """Apply a partial acceptance in one save; a repeated operationId gets the first answer."""
    portal = ctx.portal
    operation_id = params.get("operationId")
    if not isinstance(operation_id, str) or not operation_id:
        raise module_error(BAD_REQUEST, "operationId is required")
    if operation_id in portal.module_operations:
        return MethodResult(copy.deepcopy(portal.module_operations[operation_id]))

    # Everything is checked before anything changes: an error leaves the order as it was.
    order = _order(portal, params.get("orderId"))
    shipment_id = to_int(params.get("shipmentId"))
    shipment = order.shipment(shipment_id) if shipment_id is not None else None
    if shipment is None:
        raise module_error(
            ORDER_NOT_FOUND, f"Shipment {params.get('shipmentId')!r} is not in order {order.id}"
        )
    if order.locked:
        raise module_error(ORDER_LOCKED, f"Order {order.id} is being edited by a manager")
    lines = _lines(order, params.get("lines"))
    delivery_price = _optional_money(params.get("deliveryPrice"), "deliveryPrice")
    refund = _refund(order, params.get("refund"))
    comment = params.get("comment")

    basket: list[dict[str, object]] = []
    for line in lines:
        if line.accepted == 0:
            portal.delete_basket_item(order, line.item, ctx.now)
            basket.append({"basketId": line.item.id, "deleted": True})
        else:
            if line.accepted != line.item.quantity:
                portal.set_basket_quantity(order, line.item, line.accepted, ctx.now)
            basket.append({"basketId": line.item.id, "quantity": line.accepted})
    if delivery_price is not None:
        portal.set_delivery_price(order, shipment, delivery_price, delivery_price, ctx.now)
    refund_answer = None if refund is None else _apply_refund(ctx, order, refund, operation_id)
    if isinstance(comment, str) and comment:
        _append_comment(order, comment)
    order.date_update = ctx.now

    answer: dict[str, object] = {
        "orderId": order.id,
        "orderPrice": order.price,
        "basket": basket,
        "refund": refund_answer,
    }
    portal.module_operations[operation_id] = copy.deepcopy(answer)
    return MethodResult(answer)


def shipment_status(ctx: CallContext, params: Params) -> MethodResult:
    """Set status and tracking number, keeping deliveryId, flags and price as they are."""
    portal = ctx.portal
    shipment_id = to_int(params.get("shipmentId"))
    found = portal.find_shipment(shipment_id) if shipment_id is not None else None
    if found is None:
        raise module_error(ORDER_NOT_FOUND, f"Shipment {params.get('shipmentId')!r} not found")
    order, shipment = found
    status_id = params.get("statusId")
    if not portal.is_status(status_id, "D"):
        raise module_error(BAD_REQUEST, f"Delivery status {status_id!r} does not exist")
    order_status_id = params.get("orderStatusId")
    if order_status_id is not None and not portal.is_status(order_status_id, "O"):
        raise module_error(BAD_REQUEST, f"Order status {order_status_id!r} does not exist")
    tracking_number = params.get("trackingNumber")
    if order.locked:
        raise module_error(ORDER_LOCKED, f"Order {order.id} is being edited by a manager")

    shipment.status_id = str(status_id)
    if tracking_number is not None:
        shipment.tracking_number = str(tracking_number)
    if order_status_id is not None and order_status_id != order.status_id:
        order.status_id = str(order_status_id)
        order.date_status = ctx.now
    order.date_update = ctx.now
    return MethodResult(
        {
            "shipmentId": shipment.id,
            "statusId": shipment.status_id,
            "trackingNumber": shipment.tracking_number,
        }
    )


def _order(portal: Portal, raw_id: object) -> Order:
    order_id = to_int(raw_id)
    order = portal.orders.get(order_id) if order_id is not None else None
    if order is None:
        raise module_error(ORDER_NOT_FOUND, f"Order {raw_id!r} not found")
    return order


def _lines(order: Order, raw: object) -> list[_Line]:
    entries = as_list(raw)
    if not entries:
        raise module_error(BAD_LINES, "lines must list at least one basket line")
    lines: list[_Line] = []
    seen: set[int] = set()
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise module_error(BAD_LINES, f"lines[{position}] is not an object")
        basket_id = to_int(entry.get("basketId"))
        accepted = to_decimal(entry.get("acceptedQuantity"))
        item = order.basket_item(basket_id) if basket_id is not None else None
        if item is None:
            raise module_error(
                BAD_LINES,
                f"lines[{position}]: basket line {entry.get('basketId')!r} "
                f"is not in order {order.id}",
            )
        if basket_id in seen:
            raise module_error(BAD_LINES, f"lines[{position}]: basket line {basket_id} repeated")
        if accepted is None or accepted < 0 or accepted > item.quantity:
            raise module_error(
                BAD_LINES,
                f"lines[{position}]: acceptedQuantity {entry.get('acceptedQuantity')!r} "
                f"outside 0..{item.quantity}",
            )
        seen.add(item.id)
        lines.append(_Line(item, accepted))
    return lines


def _optional_money(raw: object, name: str) -> Decimal | None:
    if raw is None:
        return None
    value = to_decimal(raw)
    if value is None or value < 0:
        raise module_error(BAD_REQUEST, f"{name} must be a non-negative number")
    return money(value)


def _refund(order: Order, raw: object) -> _Refund | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise module_error(BAD_REQUEST, "refund must be an object or null")
    amount = _optional_money(raw.get("amount"), "refund.amount")
    if amount is None:
        raise module_error(BAD_REQUEST, "refund.amount is required")
    refundable = sum((p.sum for p in order.payments if p.paid == "Y"), ZERO)
    if amount > refundable:
        raise module_error(
            BAD_REQUEST, f"refund.amount {amount} exceeds the paid {money(refundable)}"
        )
    reason = raw.get("reason")
    return _Refund(amount, reason if isinstance(reason, str) else "")


def _apply_refund(
    ctx: CallContext, order: Order, refund: _Refund, operation_id: str
) -> dict[str, object]:
    portal = ctx.portal
    outcome = portal.options.refund_outcome
    paid = [p for p in order.payments if p.paid == "Y" and p.sum > 0]
    if not paid or refund.amount == 0:
        outcome = "manual"
    first = paid[0] if paid else None
    if outcome == "manual":
        _append_comment(
            order,
            f"Ozon Rocket: вернуть покупателю {format_rub(refund.amount)} вручную. {refund.reason}",
        )
        if portal.options.manual_refund_order_status is not None:
            order.status_id = portal.options.manual_refund_order_status
            order.date_status = ctx.now
        detail = "Nothing moved: a manager has to refund the amount by hand"
        pay_system = first.pay_system_name if first else ""
    else:
        # Money leaves the payments in order; a payment refunded whole is marked returned.
        left = refund.amount
        for payment in paid:
            if left <= 0:
                break
            taken = min(payment.sum, left)
            left -= taken
            if taken == payment.sum:
                payment.is_return = "Y"
                payment.paid = "N"
                payment.date_paid = None
            else:
                payment.sum = money(payment.sum - taken)
            payment.pay_return_num = operation_id
            payment.pay_return_date = bitrix_datetime(ctx.now)[:10]
            payment.pay_return_comment = refund.reason
        if outcome == "inner_account":
            order.inner_account_credit = money(order.inner_account_credit + refund.amount)
            pay_system = "Внутренний счёт"
            detail = "Credited to the buyer's inner account"
        else:
            pay_system = first.pay_system_name if first else ""
            detail = "Refunded through the pay system"
    order.refunds.append(
        RefundRecord(
            operation_id=operation_id,
            status=outcome,
            amount=refund.amount,
            payment_id=first.id if first else None,
            reason=refund.reason,
            at=ctx.now,
        )
    )
    return {
        "status": outcome,
        "amount": refund.amount,
        "paymentId": first.id if first else None,
        "paySystem": pay_system,
        "detail": detail,
    }


def _append_comment(order: Order, text: str) -> None:
    order.comments = f"{order.comments}\n{text}" if order.comments else text


MODULE_METHODS: dict[str, Handler] = {
    "ozonrocket.partial.apply": partial_apply,
    "ozonrocket.shipment.status": shipment_status,
}
