"""The standard `sale.*` REST methods, with the traps real Bitrix sets (see bitrix-rest.md)."""

from __future__ import annotations

from decimal import Decimal

from app.sandbox.bitrix.context import CallContext, Handler, MethodResult
from app.sandbox.bitrix.errors import (
    ERR_BASKET_ITEM_NOT_FOUND,
    ERR_ORDER_NOT_FOUND,
    ERR_OTHER,
    ERR_PAYMENT_NOT_FOUND,
    ERR_SHIPMENT_ITEM_NOT_FOUND,
    ERR_SHIPMENT_NOT_FOUND,
    ERR_STATUS_BAD_TYPE,
    ERR_STATUS_DUPLICATE,
    ERR_STATUS_EMPTY_ID,
    ERR_STATUS_ID_TOO_LONG,
    ERR_STATUS_LANG_BAD_LID,
    ERR_STATUS_LANG_DUPLICATE,
    bad_request,
    invalid_value,
)
from app.sandbox.bitrix.listing import list_page
from app.sandbox.bitrix.models import BasketItem, Order, Payment, Shipment, Status, StatusLang
from app.sandbox.bitrix.params import (
    Params,
    check_required,
    field_int,
    field_money,
    field_quantity,
    field_str,
    field_yn,
    require_fields,
    require_int,
    text_updates,
    to_int,
)
from app.sandbox.bitrix.portal import LANGUAGES
from app.sandbox.bitrix.serialize import (
    basket_item_view,
    order_view,
    payment_view,
    shipment_item_view,
    shipment_view,
    status_lang_view,
    status_view,
)

# ---- lookups that fail the way Bitrix fails ---------------------------------------------------


def _order(ctx: CallContext, order_id: int) -> Order:
    order = ctx.portal.orders.get(order_id)
    if order is None:
        raise bad_request(ERR_ORDER_NOT_FOUND, "order does not exist")
    return order


def _shipment(ctx: CallContext, shipment_id: int) -> tuple[Order, Shipment]:
    found = ctx.portal.find_shipment(shipment_id)
    if found is None:
        raise bad_request(ERR_SHIPMENT_NOT_FOUND, "shipment does not exist")
    return found


def _basket_item(ctx: CallContext, basket_id: int) -> tuple[Order, BasketItem]:
    found = ctx.portal.find_basket_item(basket_id)
    if found is None:
        raise bad_request(ERR_BASKET_ITEM_NOT_FOUND, "basket item does not exist")
    return found


def _payment(ctx: CallContext, payment_id: int) -> tuple[Order, Payment]:
    found = ctx.portal.find_payment(payment_id)
    if found is None:
        raise bad_request(ERR_PAYMENT_NOT_FOUND, "payment does not exist")
    return found


# ---- orders -----------------------------------------------------------------------------------

_ORDER_TEXT_FIELDS = {
    "comments": "comments",
    "userDescription": "user_description",
    "reasonCanceled": "reason_canceled",
    "reasonMarked": "reason_marked",
    "xmlId": "xml_id",
}


def order_get(ctx: CallContext, params: Params) -> MethodResult:
    order = _order(ctx, require_int(params, "id"))
    return MethodResult({"order": order_view(ctx.portal, order)})


def order_update(ctx: CallContext, params: Params) -> MethodResult:
    order_id = require_int(params, "id")
    fields = require_fields(params)
    order = _order(ctx, order_id)
    portal = ctx.portal
    # Validate everything before touching the order: Bitrix saves all or nothing.
    if "statusId" in fields and not portal.is_status(fields["statusId"], "O"):
        raise invalid_value(f"Order status {fields['statusId']!r} does not exist")
    price = field_money(fields, "price") if "price" in fields else None
    canceled = field_yn(fields, "canceled") if "canceled" in fields else None
    marked = field_yn(fields, "marked") if "marked" in fields else None
    responsible_id = field_int(fields, "responsibleId") if "responsibleId" in fields else None
    texts = text_updates(fields, _ORDER_TEXT_FIELDS)

    if "statusId" in fields and fields["statusId"] != order.status_id:
        order.status_id = str(fields["statusId"])
        order.date_status = ctx.now
    for attribute, text in texts.items():
        setattr(order, attribute, text)
    if responsible_id is not None:
        order.responsible_id = responsible_id
    if canceled is not None:
        order.canceled = canceled
    if marked is not None:
        order.marked = marked
    if price is not None:
        # A documented field; the next basket change recalculates over it, as Bitrix does.
        order.price = price
    order.date_update = ctx.now
    return MethodResult({"order": order_view(portal, order)})


# ---- shipments --------------------------------------------------------------------------------

_SHIPMENT_TEXT_FIELDS = {
    "trackingNumber": "tracking_number",
    "comments": "comments",
    "xmlId": "xml_id",
    "deliveryDocNum": "delivery_doc_num",
}


def shipment_get(ctx: CallContext, params: Params) -> MethodResult:
    _, shipment = _shipment(ctx, require_int(params, "id"))
    return MethodResult({"shipment": shipment_view(ctx.portal, shipment)})


def shipment_list(ctx: CallContext, params: Params) -> MethodResult:
    rows = [
        shipment_view(ctx.portal, s)
        for order in ctx.portal.orders.values()
        for s in order.shipments
    ]
    return list_page(ctx, params, rows, "shipments")


def shipment_update(ctx: CallContext, params: Params) -> MethodResult:
    shipment_id = require_int(params, "id")
    fields = require_fields(params)
    # The trap: these three are required on every update, whatever else changes.
    check_required(fields, ["deliveryId", "allowDelivery", "deducted"])
    order, shipment = _shipment(ctx, shipment_id)
    portal = ctx.portal

    delivery_id = field_int(fields, "deliveryId")
    if delivery_id not in portal.delivery_services:
        raise invalid_value(f"Delivery service {delivery_id} does not exist")
    allow_delivery = field_yn(fields, "allowDelivery")
    deducted = field_yn(fields, "deducted")
    # The trap: an omitted statusId is not "unchanged", it is DN.
    status_id = fields.get("statusId") or "DN"
    if not portal.is_status(status_id, "D"):
        raise invalid_value(f"Delivery status {status_id!r} does not exist")
    # The trap: basePriceDelivery wins; priceDelivery alone sets both; neither sets both to 0.
    price_sent = True
    if fields.get("basePriceDelivery") is not None:
        base = price = field_money(fields, "basePriceDelivery")
    elif fields.get("priceDelivery") is not None:
        base = price = field_money(fields, "priceDelivery")
    else:
        base = price = Decimal(0)
        price_sent = False
    texts = text_updates(fields, _SHIPMENT_TEXT_FIELDS)
    dates = text_updates(fields, {"deliveryDocDate": "delivery_doc_date"})
    responsible_id = to_int(fields.get("responsibleId"))

    if shipment.delivery_id != delivery_id:
        shipment.delivery_id = delivery_id
        shipment.delivery_name = portal.delivery_services[delivery_id]
    if allow_delivery != shipment.allow_delivery:
        shipment.date_allow_delivery = ctx.now if allow_delivery == "Y" else None
    if deducted != shipment.deducted:
        shipment.date_deducted = ctx.now if deducted == "Y" else None
    shipment.allow_delivery = allow_delivery
    shipment.deducted = deducted
    shipment.status_id = str(status_id)
    shipment.custom_price_delivery = "Y" if price_sent else "N"
    for attribute, text in texts.items():
        setattr(shipment, attribute, text)
    for attribute, text in dates.items():
        setattr(shipment, attribute, text or None)
    if "responsibleId" in fields:
        shipment.responsible_id = responsible_id
    portal.set_delivery_price(order, shipment, base, price, ctx.now)
    return MethodResult({"shipment": shipment_view(portal, shipment)})


def shipment_item_get(ctx: CallContext, params: Params) -> MethodResult:
    found = ctx.portal.find_shipment_item(require_int(params, "id"))
    if found is None:
        raise bad_request(ERR_SHIPMENT_ITEM_NOT_FOUND, "shipment item does not exist")
    return MethodResult({"shipmentItem": shipment_item_view(found[2])})


def shipment_item_update(ctx: CallContext, params: Params) -> MethodResult:
    item_id = require_int(params, "id")
    fields = require_fields(params)
    check_required(fields, ["quantity"])
    found = ctx.portal.find_shipment_item(item_id)
    if found is None:
        raise bad_request(ERR_SHIPMENT_ITEM_NOT_FOUND, "shipment item does not exist")
    order, _, item = found
    quantity = field_quantity(fields, "quantity")
    basket_item = order.basket_item(item.basket_id)
    elsewhere = order.allocated_quantity(item.basket_id) - item.quantity
    if basket_item is None or quantity + elsewhere > basket_item.quantity:
        raise bad_request(
            ERR_OTHER, f"Shipment item quantity {quantity} exceeds the basket item quantity"
        )
    texts = text_updates(fields, {"xmlId": "xml_id"})
    item.quantity = quantity
    for attribute, text in texts.items():
        setattr(item, attribute, text)
    order.date_update = ctx.now
    return MethodResult({"shipmentItem": shipment_item_view(item)})


# ---- basket -----------------------------------------------------------------------------------


def basket_item_get(ctx: CallContext, params: Params) -> MethodResult:
    _, item = _basket_item(ctx, require_int(params, "id"))
    return MethodResult({"basketItem": basket_item_view(item)})


def basket_item_update(ctx: CallContext, params: Params) -> MethodResult:
    basket_id = require_int(params, "id")
    fields = require_fields(params)
    order, item = _basket_item(ctx, basket_id)
    portal = ctx.portal
    quantity = field_quantity(fields, "quantity") if "quantity" in fields else None
    if quantity is not None and quantity == 0:
        raise invalid_value("Field quantity must be greater than 0; delete the item instead")
    price = field_money(fields, "price") if "price" in fields else None
    base_price = field_money(fields, "basePrice") if "basePrice" in fields else None
    if quantity is not None:
        portal.check_basket_shrink(order, item, quantity)
    texts = text_updates(fields, {"name": "name", "xmlId": "xml_id"})

    for attribute, text in texts.items():
        setattr(item, attribute, text)
    if price is not None:
        item.price = price
    if base_price is not None:
        item.base_price = base_price
    if quantity is not None:
        portal.set_basket_quantity(order, item, quantity, ctx.now)
    else:
        portal.basket_changed(order, ctx.now)
    return MethodResult({"basketItem": basket_item_view(item)})


def basket_item_delete(ctx: CallContext, params: Params) -> MethodResult:
    order, item = _basket_item(ctx, require_int(params, "id"))
    ctx.portal.check_basket_shrink(order, item, Decimal(0))
    ctx.portal.delete_basket_item(order, item, ctx.now)
    return MethodResult(True)


# ---- payments ---------------------------------------------------------------------------------

_PAYMENT_TEXT_FIELDS = {
    "payReturnNum": "pay_return_num",
    "payReturnComment": "pay_return_comment",
    "comments": "comments",
    "xmlId": "xml_id",
}


def payment_get(ctx: CallContext, params: Params) -> MethodResult:
    _, payment = _payment(ctx, require_int(params, "id"))
    return MethodResult({"payment": payment_view(payment)})


def payment_list(ctx: CallContext, params: Params) -> MethodResult:
    rows = [payment_view(p) for order in ctx.portal.orders.values() for p in order.payments]
    return list_page(ctx, params, rows, "payments")


def payment_update(ctx: CallContext, params: Params) -> MethodResult:
    payment_id = require_int(params, "id")
    fields = require_fields(params)
    # The trap: paySystemId is required even when only the paid flag or a return changes.
    check_required(fields, ["paySystemId"])
    order, payment = _payment(ctx, payment_id)
    portal = ctx.portal
    pay_system = portal.pay_systems.get(field_int(fields, "paySystemId"))
    if pay_system is None:
        raise invalid_value(f"Pay system {fields['paySystemId']!r} does not exist")
    paid = field_yn(fields, "paid") if "paid" in fields else None
    is_return = field_yn(fields, "isReturn") if "isReturn" in fields else None
    amount = field_money(fields, "sum") if "sum" in fields else None
    texts = text_updates(fields, _PAYMENT_TEXT_FIELDS)
    dates = text_updates(fields, {"payReturnDate": "pay_return_date"})

    payment.pay_system_id = pay_system.id
    payment.pay_system_name = pay_system.name
    payment.pay_system_is_cash = "Y" if pay_system.is_cash else "N"
    if paid is not None and paid != payment.paid:
        payment.paid = paid
        payment.date_paid = ctx.now if paid == "Y" else None
    if is_return is not None:
        # Only a flag: setting it over REST moves no money (see bitrix-rest.md, Payments).
        payment.is_return = is_return
    if amount is not None:
        payment.sum = amount
    for attribute, text in texts.items():
        setattr(payment, attribute, text)
    for attribute, text in dates.items():
        setattr(payment, attribute, text or None)
    order.date_update = ctx.now
    return MethodResult({"payment": payment_view(payment)})


# ---- statuses ---------------------------------------------------------------------------------


def status_list(ctx: CallContext, params: Params) -> MethodResult:
    rows = [status_view(s) for s in ctx.portal.statuses.values()]
    return list_page(ctx, params, rows, "statuses")


def status_add(ctx: CallContext, params: Params) -> MethodResult:
    fields = require_fields(params)
    check_required(fields, ["type"])
    status_id = field_str(fields, "id")
    status_type = field_str(fields, "type")
    if not status_id:
        raise bad_request(ERR_STATUS_EMPTY_ID, "Empty status id")
    if len(status_id) > 2:
        raise bad_request(ERR_STATUS_ID_TOO_LONG, "Status id is longer than 2 characters")
    if status_type not in ("O", "D"):
        raise bad_request(ERR_STATUS_BAD_TYPE, "Status type must be O or D")
    # Ids are unique across both types: an order status blocks a delivery status of that id.
    if status_id in ctx.portal.statuses:
        raise bad_request(ERR_STATUS_DUPLICATE, "Duplicate entry for key [id]")
    notify = field_yn(fields, "notify") if "notify" in fields else "N"
    sort = field_int(fields, "sort") if "sort" in fields else 100
    status = Status(
        id=status_id,
        type=status_type,
        sort=sort,
        notify=notify,
        color=field_str(fields, "color") or None,
        xml_id=field_str(fields, "xmlId") or None,
    )
    ctx.portal.statuses[status_id] = status
    return MethodResult({"status": status_view(status)})


def status_lang_list(ctx: CallContext, params: Params) -> MethodResult:
    rows = [status_lang_view(sl) for sl in ctx.portal.status_langs]
    return list_page(ctx, params, rows, "statusLangs")


def status_lang_add(ctx: CallContext, params: Params) -> MethodResult:
    fields = require_fields(params)
    check_required(fields, ["statusId", "lid", "name"])
    status_id = field_str(fields, "statusId")
    lid = field_str(fields, "lid")
    if status_id not in ctx.portal.statuses:
        raise invalid_value(f"Status {status_id!r} does not exist")
    if lid not in LANGUAGES:
        raise bad_request(ERR_STATUS_LANG_BAD_LID, f"Unknown language id {lid!r}")
    if any(sl.status_id == status_id and sl.lid == lid for sl in ctx.portal.status_langs):
        raise bad_request(ERR_STATUS_LANG_DUPLICATE, "Duplicate entry for key [statusId, lid]")
    lang = StatusLang(status_id, lid, field_str(fields, "name"), field_str(fields, "description"))
    ctx.portal.status_langs.append(lang)
    return MethodResult({"statusLang": status_lang_view(lang)})


# Bitrix matches method names case-insensitively; the registry is keyed lower-case.
SALE_METHODS: dict[str, Handler] = {
    "sale.order.get": order_get,
    "sale.order.update": order_update,
    "sale.shipment.get": shipment_get,
    "sale.shipment.list": shipment_list,
    "sale.shipment.update": shipment_update,
    "sale.shipmentitem.get": shipment_item_get,
    "sale.shipmentitem.update": shipment_item_update,
    "sale.basketitem.get": basket_item_get,
    "sale.basketitem.update": basket_item_update,
    "sale.basketitem.delete": basket_item_delete,
    "sale.payment.get": payment_get,
    "sale.payment.list": payment_list,
    "sale.payment.update": payment_update,
    "sale.status.list": status_list,
    "sale.status.add": status_add,
    "sale.statuslang.list": status_lang_list,
    "sale.statuslang.add": status_lang_add,
}
