"""Secrets never reach a log line: by key name, by known value, by shape — with many shops too."""

from __future__ import annotations

from typing import Any

from app.logging import Redactor


def clean(redactor: Redactor, **event: Any) -> dict[str, Any]:
    return dict(redactor(None, "info", event))


def test_secrets_are_masked_by_key_value_and_shape() -> None:
    redactor = Redactor()
    redactor.remember("sandbox-key-0001")

    line = clean(
        redactor,
        event="ozon_call",
        api_key="anything",
        note="used sandbox-key-0001 twice: sandbox-key-0001",
        header="Bearer abc.DEF-123",
        url="https://shop.example.ru/rest/1/k3y5ecr3t/sale.order.get.json",
        ids=["ors_abcdef", "whsec_123", "plain"],
        nested={"password": "p", "status": 200},
        status=200,
    )

    assert line == {
        "event": "ozon_call",
        "api_key": "****",
        "note": "used **** twice: ****",
        "header": "Bearer ****",
        "url": "https://shop.example.ru/rest/1/****/sale.order.get.json",
        "ids": ["ors_****", "whsec_****", "plain"],
        "nested": {"password": "****", "status": 200},
        "status": 200,
    }


def test_with_thousands_of_known_secrets_each_is_still_masked() -> None:
    redactor = Redactor()
    secrets = [f"shop-{n:05d}-key" for n in range(3000)]
    for secret in secrets:
        redactor.remember(secret)
    # Two secrets sharing their first characters, one inside the other.
    redactor.remember("shop-00042-key-rotated")

    assert redactor.scrub("calculate for shop-02999-key failed") == "calculate for **** failed"
    assert redactor.scrub("old shop-00042-key-rotated") in {"old ****", "old ****-rotated"}
    assert redactor.scrub("shop-00042-ke") == "shop-00042-ke"
    assert redactor.scrub("POST /api/v1/calculate 200") == "POST /api/v1/calculate 200"
    assert redactor.scrub("") == ""
