"""sale.shipment.update and its traps: required fields, the DN default, prices falling to zero."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from app.sandbox.bitrix import BitrixSandbox, PortalInfo, SeededOrder
from tests.sandbox_bitrix.support import call, entity, error, rows, standard_order

REQUIRED = {"deliveryId": 12, "allowDelivery": "Y", "deducted": "N"}


async def test_update_without_the_required_fields_is_refused_naming_them(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    shipment_id = order.shipment_ids[0]

    response = await call(
        client, portal, "sale.shipment.update", {"id": shipment_id, "fields": {"statusId": "DF"}}
    )

    status, code, description = error(response)
    assert status == 400
    assert code == 0  # Bitrix's "other error": the number zero
    assert description == "Required fields: deliveryId, allowDelivery, deducted"
    shipment = sandbox.shipment(portal.portal_id, shipment_id)
    assert (shipment.status_id, shipment.price_delivery) == ("DN", Decimal("349.90"))


@pytest.mark.parametrize("missing", ["deliveryId", "allowDelivery", "deducted"])
async def test_each_required_field_is_required_on_its_own(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, missing: str
) -> None:
    fields = {k: v for k, v in REQUIRED.items() if k != missing}
    fields["basePriceDelivery"] = "349.90"

    response = await call(
        client, portal, "sale.shipment.update", {"id": order.shipment_ids[0], "fields": fields}
    )

    assert error(response) == (400, 0, f"Required fields: {missing}")


async def test_omitted_status_becomes_dn(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    shipment_id = order.shipment_ids[0]
    fields = {**REQUIRED, "basePriceDelivery": "349.90", "statusId": "DF"}
    shipped = await call(
        client, portal, "sale.shipment.update", {"id": shipment_id, "fields": fields}
    )
    assert entity(shipped, "shipment")["statusId"] == "DF"

    fields = {**REQUIRED, "basePriceDelivery": "349.90", "trackingNumber": "OZR1"}
    response = await call(
        client, portal, "sale.shipment.update", {"id": shipment_id, "fields": fields}
    )

    shipment = entity(response, "shipment")
    assert shipment["statusId"] == "DN"
    assert shipment["trackingNumber"] == "OZR1"


async def test_prices_fall_to_zero_when_neither_is_sent_and_the_order_total_follows(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    fields = {**REQUIRED, "statusId": "DF", "trackingNumber": "OZR123456789RU"}

    response = await call(
        client, portal, "sale.shipment.update", {"id": order.shipment_ids[0], "fields": fields}
    )

    shipment = entity(response, "shipment")
    assert shipment["basePriceDelivery"] == 0
    assert shipment["priceDelivery"] == 0
    assert sandbox.order(portal.portal_id, order.order_id).price == Decimal("2259.10")


async def test_base_price_sets_both_prices_and_wins_over_price_delivery(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    fields = {**REQUIRED, "basePriceDelivery": 400.5, "priceDelivery": 100}

    response = await call(
        client, portal, "sale.shipment.update", {"id": order.shipment_ids[0], "fields": fields}
    )

    shipment = entity(response, "shipment")
    assert shipment["basePriceDelivery"] == shipment["priceDelivery"] == Decimal("400.5")


async def test_price_delivery_alone_sets_the_base_price_too(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    fields = {**REQUIRED, "priceDelivery": "199.99"}

    await call(
        client, portal, "sale.shipment.update", {"id": order.shipment_ids[0], "fields": fields}
    )

    shipment = sandbox.shipment(portal.portal_id, order.shipment_ids[0])
    assert shipment.base_price_delivery == shipment.price_delivery == Decimal("199.99")
    assert sandbox.order(portal.portal_id, order.order_id).price == Decimal("2459.09")


@pytest.mark.parametrize("status_id", ["N", "ZZ"])
async def test_status_must_be_an_existing_delivery_status(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, status_id: str
) -> None:
    fields = {**REQUIRED, "basePriceDelivery": "349.90", "statusId": status_id}

    response = await call(
        client, portal, "sale.shipment.update", {"id": order.shipment_ids[0], "fields": fields}
    )

    status, code, _ = error(response)
    assert (status, code) == (400, "BX_INVALID_VALUE")


async def test_a_push_that_resends_the_current_values_changes_only_status_and_tracking(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    shipment_id = order.shipment_ids[0]
    current = entity(
        await call(client, portal, "sale.shipment.get", {"id": shipment_id}), "shipment"
    )
    fields = {
        "deliveryId": current["deliveryId"],
        "allowDelivery": current["allowDelivery"],
        "deducted": current["deducted"],
        "basePriceDelivery": str(current["basePriceDelivery"]),
        "statusId": "DF",
        "trackingNumber": "OZR123456789RU",
    }

    response = await call(
        client, portal, "sale.shipment.update", {"id": shipment_id, "fields": fields}
    )

    updated = entity(response, "shipment")
    assert updated["statusId"] == "DF"
    assert updated["trackingNumber"] == "OZR123456789RU"
    assert updated["priceDelivery"] == Decimal("349.9")
    assert updated["shipmentItems"] == current["shipmentItems"]


async def test_an_unknown_shipment_is_400_with_bitrix_code(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder
) -> None:
    fields = {**REQUIRED, "basePriceDelivery": "1"}

    response = await call(client, portal, "sale.shipment.update", {"id": 99, "fields": fields})

    assert error(response) == (400, 201140400001, "shipment does not exist")


async def test_shipment_list_filters_by_order(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    other = sandbox.seed_order(portal.portal_id, standard_order())

    response = await call(
        client, portal, "sale.shipment.list", {"filter": {"orderId": other.order_id}}
    )

    shipments = rows(response, "shipments")
    assert [s["id"] for s in shipments] == other.shipment_ids


async def test_a_refused_update_changes_nothing(
    client: httpx.AsyncClient, portal: PortalInfo, order: SeededOrder, sandbox: BitrixSandbox
) -> None:
    fields = {**REQUIRED, "statusId": "DF", "basePriceDelivery": "1", "trackingNumber": {"a": 1}}

    response = await call(
        client, portal, "sale.shipment.update", {"id": order.shipment_ids[0], "fields": fields}
    )

    assert error(response)[:2] == (400, "BX_INVALID_VALUE")
    shipment = sandbox.shipment(portal.portal_id, order.shipment_ids[0])
    assert (shipment.status_id, shipment.allow_delivery) == ("DN", "N")
    assert shipment.price_delivery == Decimal("349.90")


async def test_a_free_delivery_resent_as_its_own_price_delivery_in_a_batch_stays_free(
    client: httpx.AsyncClient, portal: PortalInfo, sandbox: BitrixSandbox
) -> None:
    # The bridge's status push: read the shipment, write its own values back by reference.
    seed = standard_order()
    seed.shipments[0].price = Decimal(0)
    seed.shipments[0].base_price = Decimal("349.90")
    seeded = sandbox.seed_order(portal.portal_id, seed)
    shipment_id = seeded.shipment_ids[0]
    current = "$result[g][shipment]"
    update = (
        f"sale.shipment.update?id={shipment_id}&fields[deliveryId]={current}[deliveryId]"
        f"&fields[allowDelivery]={current}[allowDelivery]&fields[deducted]={current}[deducted]"
        f"&fields[priceDelivery]={current}[priceDelivery]&fields[statusId]=DF"
    )

    response = await call(
        client,
        portal,
        "batch",
        {"halt": 0, "cmd": {"g": f"sale.shipment.get?id={shipment_id}", "u": update}},
    )

    assert response.status_code == 200
    shipment = sandbox.shipment(portal.portal_id, shipment_id)
    assert (shipment.status_id, shipment.price_delivery) == ("DF", Decimal(0))
    assert sandbox.order(portal.portal_id, seeded.order_id).price == seeded.price
