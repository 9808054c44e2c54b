"""Helpers for the Bitrix sandbox tests: calling a portal's webhook and reading answers exactly."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from app.sandbox.bitrix import BasketItemSeed, OrderSeed, PaymentSeed, PortalInfo, ShipmentSeed


async def call(
    client: httpx.AsyncClient,
    portal: PortalInfo,
    method: str,
    payload: dict[str, object] | None = None,
) -> httpx.Response:
    """POST a JSON body to the portal's inbound webhook, as the bridge does."""
    return await client.post(f"{portal.webhook_path}{method}.json", json=payload or {})


def body(response: httpx.Response) -> dict[str, object]:
    """The answer with numbers as Decimal, the way a Bitrix client has to read money."""
    data = json.loads(response.content, parse_float=Decimal)
    assert isinstance(data, dict)
    return data


def result(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 200, response.text
    value = body(response)["result"]
    assert isinstance(value, dict)
    return value


def entity(response: httpx.Response, key: str) -> dict[str, object]:
    value = result(response)[key]
    assert isinstance(value, dict)
    return value


def mapping(value: object) -> dict[str, object]:
    assert isinstance(value, dict), value
    return value


def items(value: object) -> list[dict[str, object]]:
    assert isinstance(value, list), value
    return value


def batch_parts(response: httpx.Response) -> dict[str, object]:
    """The inner `result` of a batch answer: result, result_error, result_total, ..."""
    return mapping(result(response))


def rows(response: httpx.Response, key: str) -> list[dict[str, object]]:
    value = result(response)[key]
    assert isinstance(value, list)
    return value


def error(response: httpx.Response) -> tuple[int, object, str]:
    data = body(response)
    assert set(data) == {"error", "error_description"}, data
    description = data["error_description"]
    assert isinstance(description, str)
    return response.status_code, data["error"], description


def standard_order() -> OrderSeed:
    """Two mugs, one kettle, Ozon Rocket delivery 349.90, prepaid by card: 2609.00 in all."""
    return OrderSeed(
        basket=[
            BasketItemSeed(name="Кружка", price=Decimal("512.30"), quantity=Decimal(2), xml_id="A"),
            BasketItemSeed(name="Чайник", price=Decimal("1234.50"), xml_id="B"),
        ],
        shipments=[ShipmentSeed(delivery_id=12, price=Decimal("349.90"))],
        payments=[PaymentSeed(pay_system_id=2, paid=True)],
        properties={"FIO": "Иван Петров", "PHONE": "+79001234567"},
    )
