"""The module's ozonrocket.* methods: present only with the module, idempotent, all-or-nothing."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from app.sandbox.bitrix import BitrixSandbox, PortalInfo, PortalOptions, SeededOrder
from tests.sandbox_bitrix.support import call, error, result, standard_order


@pytest.fixture
def shop(sandbox: BitrixSandbox) -> PortalInfo:
    return sandbox.create_portal(PortalOptions(module_installed=True))


@pytest.fixture
def shop_order(sandbox: BitrixSandbox, shop: PortalInfo) -> SeededOrder:
    return sandbox.seed_order(shop.portal_id, standard_order())


def _partial(
    order: SeededOrder, operation_id: str = "pa_1", **changes: object
) -> dict[str, object]:
    mug, kettle = order.basket_item_ids
    payload: dict[str, object] = {
        "orderId": order.order_id,
        "shipmentId": order.shipment_ids[0],
        "operationId": operation_id,
        "lines": [
            {"basketId": mug, "acceptedQuantity": 1},
            {"basketId": kettle, "acceptedQuantity": 0},
        ],
        "deliveryPrice": "349.90",
        "refund": {"amount": "1746.80", "reason": "Ozon Rocket: частичный выкуп"},
        "comment": "Ozon Rocket: выкуплено 1 из 3 штук",
    }
    payload.update(changes)
    return payload


async def test_without_the_module_its_methods_do_not_exist(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    for method in ("ozonrocket.partial.apply", "ozonrocket.shipment.status"):
        response = await call(client, portal, method, _partial(order))
        assert error(response) == (404, "ERROR_METHOD_NOT_FOUND", "Method not found!")


async def test_partial_apply_removes_refused_goods_and_refunds_them(
    client: httpx.AsyncClient, shop: PortalInfo, shop_order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    mug, kettle = shop_order.basket_item_ids

    response = await call(client, shop, "ozonrocket.partial.apply", _partial(shop_order))

    answer = result(response)
    payment_id = shop_order.payment_ids[0]
    assert answer == {
        "orderId": shop_order.order_id,
        "orderPrice": Decimal("862.2"),
        "basket": [{"basketId": mug, "quantity": 1}, {"basketId": kettle, "deleted": True}],
        "refund": {
            "status": "done",
            "amount": Decimal("1746.8"),
            "paymentId": payment_id,
            "paySystem": "Банковская карта",
            "detail": "Refunded through the pay system",
        },
    }
    order = sandbox.order(shop.portal_id, shop_order.order_id)
    assert [(b.id, b.quantity) for b in order.basket] == [(mug, Decimal(1))]
    assert [(si.basket_id, si.quantity) for si in order.shipments[0].items] == [(mug, Decimal(1))]
    assert order.price == Decimal("862.20")
    assert sandbox.payment(shop.portal_id, payment_id).sum == Decimal("862.20")
    assert order.comments == "Ozon Rocket: выкуплено 1 из 3 штук"


async def test_the_same_operation_id_returns_the_first_answer_and_changes_nothing_more(
    client: httpx.AsyncClient, shop: PortalInfo, shop_order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    first = await call(client, shop, "ozonrocket.partial.apply", _partial(shop_order))
    state = sandbox.order_state(shop.portal_id, shop_order.order_id)

    again = await call(client, shop, "ozonrocket.partial.apply", _partial(shop_order))

    assert result(again) == result(first)
    assert sandbox.order_state(shop.portal_id, shop_order.order_id) == state
    assert len(sandbox.order(shop.portal_id, shop_order.order_id).refunds) == 1


@pytest.mark.parametrize(
    ("outcome", "payment_sum", "credit"),
    [("inner_account", Decimal("862.20"), Decimal("1746.80")), ("manual", Decimal("2609.00"), 0)],
)
async def test_the_refund_outcome_is_set_per_portal(
    client: httpx.AsyncClient,
    sandbox: BitrixSandbox,
    outcome: str,
    payment_sum: Decimal,
    credit: Decimal,
) -> None:
    shop = sandbox.create_portal(
        PortalOptions(module_installed=True, refund_outcome=outcome, manual_refund_order_status="P")
    )
    seeded = sandbox.seed_order(shop.portal_id, standard_order())

    response = await call(client, shop, "ozonrocket.partial.apply", _partial(seeded))

    refund = result(response)["refund"]
    assert isinstance(refund, dict)
    assert refund["status"] == outcome
    order = sandbox.order(shop.portal_id, seeded.order_id)
    assert sandbox.payment(shop.portal_id, seeded.payment_ids[0]).sum == payment_sum
    assert order.inner_account_credit == credit
    if outcome == "manual":
        assert "вернуть покупателю 1 746.80 RUB вручную" in order.comments
        assert order.status_id == "P"


async def test_a_bad_line_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, shop: PortalInfo, shop_order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    mug, kettle = shop_order.basket_item_ids
    before = sandbox.order_state(shop.portal_id, shop_order.order_id)
    lines = [{"basketId": kettle, "acceptedQuantity": 0}, {"basketId": mug, "acceptedQuantity": 3}]

    response = await call(
        client, shop, "ozonrocket.partial.apply", _partial(shop_order, lines=lines)
    )

    status, code, description = error(response)
    assert (status, code) == (400, "OZONROCKET_BAD_LINES")
    assert "acceptedQuantity" in description
    assert sandbox.order_state(shop.portal_id, shop_order.order_id) == before


async def test_a_line_of_another_order_is_a_bad_line(
    client: httpx.AsyncClient, shop: PortalInfo, shop_order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    other = sandbox.seed_order(shop.portal_id, standard_order())
    lines = [{"basketId": other.basket_item_ids[0], "acceptedQuantity": 0}]

    response = await call(
        client, shop, "ozonrocket.partial.apply", _partial(shop_order, lines=lines)
    )

    assert error(response)[1] == "OZONROCKET_BAD_LINES"


async def test_an_unknown_order_and_a_locked_order_are_refused(
    client: httpx.AsyncClient, shop: PortalInfo, shop_order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    missing = await call(client, shop, "ozonrocket.partial.apply", _partial(shop_order, orderId=1))
    sandbox.set_order_locked(shop.portal_id, shop_order.order_id)
    locked = await call(client, shop, "ozonrocket.partial.apply", _partial(shop_order))

    assert error(missing)[:2] == (400, "OZONROCKET_ORDER_NOT_FOUND")
    assert error(locked)[:2] == (400, "OZONROCKET_ORDER_LOCKED")
    assert sandbox.order(shop.portal_id, shop_order.order_id).price == Decimal("2609.00")


async def test_a_failed_operation_can_be_retried_with_the_same_id(
    client: httpx.AsyncClient, shop: PortalInfo, shop_order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    sandbox.set_order_locked(shop.portal_id, shop_order.order_id)
    await call(client, shop, "ozonrocket.partial.apply", _partial(shop_order))
    sandbox.set_order_locked(shop.portal_id, shop_order.order_id, locked=False)

    response = await call(client, shop, "ozonrocket.partial.apply", _partial(shop_order))

    assert result(response)["orderPrice"] == Decimal("862.2")


async def test_shipment_status_keeps_delivery_flags_and_price(
    client: httpx.AsyncClient, shop: PortalInfo, shop_order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    shipment_id = shop_order.shipment_ids[0]
    payload = {
        "shipmentId": shipment_id,
        "statusId": "DF",
        "trackingNumber": "OZR123456789RU",
        "orderStatusId": None,
    }

    response = await call(client, shop, "ozonrocket.shipment.status", payload)

    assert result(response) == {
        "shipmentId": shipment_id,
        "statusId": "DF",
        "trackingNumber": "OZR123456789RU",
    }
    shipment = sandbox.shipment(shop.portal_id, shipment_id)
    assert (shipment.delivery_id, shipment.allow_delivery, shipment.deducted) == (12, "N", "N")
    assert shipment.price_delivery == Decimal("349.90")
    assert sandbox.order(shop.portal_id, shop_order.order_id).status_id == "N"


async def test_shipment_status_refuses_an_order_status_as_delivery_status(
    client: httpx.AsyncClient, shop: PortalInfo, shop_order: SeededOrder
) -> None:
    payload = {"shipmentId": shop_order.shipment_ids[0], "statusId": "F"}

    response = await call(client, shop, "ozonrocket.shipment.status", payload)

    assert error(response)[:2] == (400, "OZONROCKET_BAD_REQUEST")


async def test_module_methods_run_inside_a_batch(
    client: httpx.AsyncClient, shop: PortalInfo, shop_order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    shipment_id = shop_order.shipment_ids[0]
    cmd = {"s": f"ozonrocket.shipment.status?shipmentId={shipment_id}&statusId=DD"}

    response = await call(client, shop, "batch", {"halt": 1, "cmd": cmd})

    assert response.status_code == 200
    assert sandbox.shipment(shop.portal_id, shipment_id).status_id == "DD"
