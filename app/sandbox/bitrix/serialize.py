"""Entities rendered as Bitrix REST `sale.*` answers: camelCase, Y/N flags, numeric money."""

from __future__ import annotations

from app.sandbox.bitrix.clock import bitrix_datetime
from app.sandbox.bitrix.models import (
    BasketItem,
    Order,
    Payment,
    PropertyValue,
    Shipment,
    ShipmentItem,
    Status,
    StatusLang,
)
from app.sandbox.bitrix.portal import Portal

View = dict[str, object]


def _dt(timestamp: float | None) -> str | None:
    return None if timestamp is None else bitrix_datetime(timestamp)


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def _php_dimensions(dimensions: tuple[int, int, int] | None) -> str:
    # Bitrix stores basket dimensions as a serialized PHP array and REST passes the string on.
    if dimensions is None:
        return 'a:3:{s:5:"WIDTH";N;s:6:"HEIGHT";N;s:6:"LENGTH";N;}'
    width, height, length = dimensions
    return f'a:3:{{s:5:"WIDTH";i:{width};s:6:"HEIGHT";i:{height};s:6:"LENGTH";i:{length};}}'


def basket_item_view(item: BasketItem, *, inside_order: bool = False) -> View:
    return {
        # sale.order.get really sends basket ids as strings ("id": "255" in Bitrix's own example);
        # sale.basketitem.* send numbers.
        "id": str(item.id) if inside_order else item.id,
        "orderId": str(item.order_id) if inside_order else item.order_id,
        "productId": item.product_id,
        "name": item.name,
        "price": item.price,
        "basePrice": item.base_price,
        "discountPrice": item.base_price - item.price,
        "quantity": item.quantity,
        "currency": "RUB",
        "customPrice": "N",
        "canBuy": "Y",
        "xmlId": item.xml_id,
        "productXmlId": item.product_xml_id,
        "catalogXmlId": "",
        "weight": item.weight,
        "dimensions": _php_dimensions(item.dimensions),
        "measureCode": "796",
        "measureName": "шт",
        "vatRate": item.vat_rate,
        "vatIncluded": "Y",
        "module": "catalog",
        "lid": "s1",
        "sort": item.sort,
        "type": None,
        "properties": [],
        "reservations": [],
        "dateInsert": _dt(item.date_insert),
        "dateUpdate": _dt(item.date_update),
    }


def shipment_item_view(item: ShipmentItem) -> View:
    return {
        "id": item.id,
        "orderDeliveryId": item.shipment_id,
        "basketId": item.basket_id,
        "quantity": item.quantity,
        "reservedQuantity": item.quantity,
        "xmlId": item.xml_id,
        "dateInsert": _dt(item.date_insert),
    }


def shipment_view(portal: Portal, shipment: Shipment) -> View:
    return {
        "id": shipment.id,
        "orderId": shipment.order_id,
        "accountNumber": shipment.account_number,
        "deliveryId": shipment.delivery_id,
        "deliveryName": shipment.delivery_name,
        "deliveryXmlId": "",
        "statusId": shipment.status_id,
        "statusXmlId": portal.statuses[shipment.status_id].xml_id or "",
        "allowDelivery": shipment.allow_delivery,
        "deducted": shipment.deducted,
        "canceled": "N",
        "marked": "N",
        "reasonMarked": "",
        "reasonUndoDeducted": "",
        "system": "N",
        "externalDelivery": "N",
        "basePriceDelivery": shipment.base_price_delivery,
        "priceDelivery": shipment.price_delivery,
        "customPriceDelivery": shipment.custom_price_delivery,
        "discountPrice": 0,
        "currency": "RUB",
        "comments": shipment.comments,
        "companyId": None,
        "responsibleId": shipment.responsible_id,
        "trackingNumber": shipment.tracking_number,
        "trackingStatus": "",
        "trackingDescription": "",
        "trackingLastCheck": "",
        "deliveryDocNum": shipment.delivery_doc_num,
        "deliveryDocDate": shipment.delivery_doc_date,
        "xmlId": shipment.xml_id,
        "id1c": "",
        "version1c": "",
        "updated1c": "N",
        "dateInsert": _dt(shipment.date_insert),
        "dateAllowDelivery": _dt(shipment.date_allow_delivery),
        "dateDeducted": _dt(shipment.date_deducted),
        "dateCanceled": None,
        "dateMarked": None,
        "dateResponsibleId": None,
        "empAllowDeliveryId": None,
        "empDeductedId": None,
        "empCanceledId": None,
        "empMarkedId": None,
        "empResponsibleId": None,
        "shipmentItems": [shipment_item_view(i) for i in shipment.items],
    }


def payment_view(payment: Payment) -> View:
    return {
        "id": payment.id,
        "orderId": payment.order_id,
        "accountNumber": payment.account_number,
        "paySystemId": payment.pay_system_id,
        "paySystemName": payment.pay_system_name,
        "paySystemIsCash": payment.pay_system_is_cash,
        "paySystemXmlId": "",
        "sum": payment.sum,
        "currency": "RUB",
        "paid": payment.paid,
        "datePaid": _dt(payment.date_paid),
        "dateBill": _dt(payment.date_bill),
        "datePayBefore": None,
        "isReturn": payment.is_return,
        "payReturnNum": payment.pay_return_num,
        "payReturnDate": payment.pay_return_date,
        "payReturnComment": payment.pay_return_comment,
        # Bitrix's own example sends priceCod as a string while sum is a number.
        "priceCod": "0",
        "comments": payment.comments,
        "xmlId": payment.xml_id,
        "companyId": 0,
        "responsibleId": None,
        "empPaidId": None,
        "empReturnId": None,
        "empResponsibleId": None,
        "empMarkedId": None,
        "externalPayment": "N",
        "marked": "N",
        "reasonMarked": "",
        "psStatus": "",
        "psStatusCode": "",
        "psStatusDescription": "",
        "psStatusMessage": "",
        "psSum": None,
        "psCurrency": "",
        "psResponseDate": None,
        "psInvoiceId": None,
        "payVoucherNum": "",
        "payVoucherDate": None,
        "id1c": "",
        "version1c": "",
        "updated1c": "N",
    }


def property_value_view(value: PropertyValue) -> View:
    return {
        "id": value.id,
        "orderPropsId": value.order_props_id,
        "orderPropsXmlId": None,
        "code": value.code,
        "name": value.name,
        "value": value.value,
    }


def order_view(portal: Portal, order: Order) -> View:
    return {
        "id": order.id,
        "accountNumber": str(order.id),
        "lid": "s1",
        "personTypeId": 1,
        "personTypeXmlId": "",
        "statusId": order.status_id,
        "statusXmlId": portal.statuses[order.status_id].xml_id or "",
        "dateStatus": _dt(order.date_status),
        "price": order.price,
        "currency": order.currency,
        "discountValue": 0,
        "taxValue": 0,
        "payed": _yn(order.price > 0 and order.paid_sum() >= order.price),
        "deducted": _yn(bool(order.shipments) and all(s.deducted == "Y" for s in order.shipments)),
        "canceled": order.canceled,
        "reasonCanceled": order.reason_canceled,
        "dateCanceled": None,
        "marked": order.marked,
        "reasonMarked": order.reason_marked,
        "comments": order.comments,
        "userDescription": order.user_description,
        "additionalInfo": "",
        "userId": order.user_id,
        "responsibleId": order.responsible_id,
        "empStatusId": 1,
        "lockedBy": "1" if order.locked else "",
        "dateLock": None,
        "xmlId": order.xml_id,
        "externalOrder": "N",
        "id1c": "",
        "version1c": "",
        "updated1c": "N",
        "recountFlag": "Y",
        "version": 1,
        "dateInsert": _dt(order.date_insert),
        "dateUpdate": _dt(order.date_update),
        "basketItems": [basket_item_view(i, inside_order=True) for i in order.basket],
        "payments": [payment_view(p) for p in order.payments],
        "shipments": [shipment_view(portal, s) for s in order.shipments],
        "propertyValues": [property_value_view(v) for v in order.properties],
        "clients": [],
        "tradeBindings": [],
    }


def status_view(status: Status) -> View:
    return {
        "id": status.id,
        "type": status.type,
        "sort": status.sort,
        "notify": status.notify,
        "color": status.color,
        "xmlId": status.xml_id,
    }


def status_lang_view(lang: StatusLang) -> View:
    return {
        "statusId": lang.status_id,
        "lid": lang.lid,
        "name": lang.name,
        "description": lang.description,
    }
