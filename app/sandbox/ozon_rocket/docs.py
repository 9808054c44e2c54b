"""OpenAPI request bodies for the emulated endpoints, which read raw JSON and so declare none."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


def request_body(model: type[BaseModel], example: dict[str, Any]) -> dict[str, Any]:
    """`openapi_extra` for a route: the model's schema (self-contained) and a contract example."""
    schema = model.model_json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _inline(schema, definitions), "example": example}
            },
        }
    }


TOKEN_EXAMPLE: dict[str, Any] = {"api_key": "sandbox-key-0001", "seller_id": "seller-1"}

QUOTE_EXAMPLE: dict[str, Any] = {
    "from": {"warehouse_id": "WH-1"},
    "to": {
        "delivery_type": "to_address",
        "address": {"city": "Москва", "street": "Тверская", "house": "7"},
    },
    "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
    "declared_value": 4990.00,
    "payment_method": "prepaid",
}

ORDER_EXAMPLE: dict[str, Any] = {
    "seller_order_number": "SHOP-10452",
    "warehouse_id": "WH-1",
    "delivery_type": "courier",
    "option_id": "opt_courier_std",
    "recipient": {"name": "Иван Петров", "phone": "+79161234567", "email": "i@example.ru"},
    "delivery_address": {
        "city": "Москва",
        "street": "Тверская",
        "house": "7",
        "apartment": "12",
        "zip": "125009",
    },
    "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
    "items": [
        {
            "sku": "A-100",
            "name": "Кружка",
            "quantity": 2,
            "price": 500.00,
            "declared_price": 500.00,
        },
        {
            "sku": "B-200",
            "name": "Чайник",
            "quantity": 1,
            "price": 3990.00,
            "declared_price": 3990.00,
        },
    ],
    "payment_method": "prepaid",
    "declared_value": 4990.00,
    "allow_partial_acceptance": True,
}
