"""The emulator's JSON writer and its OpenAPI description."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi import FastAPI

from app.sandbox.ozon_rocket.wire import Json, format_time, render_json


def test_money_is_written_as_a_number_with_two_decimals() -> None:
    body = {"price": Decimal("349.9"), "zero": Decimal(0), "big": Decimal("12345678901234.5")}
    assert render_json(body) == b'{"price":349.90,"zero":0.00,"big":12345678901234.50}'


def test_money_is_rounded_half_up_to_the_kopeck() -> None:
    assert render_json([Decimal("0.005"), Decimal("2.675")]) == b"[0.01,2.68]"


def test_everything_else_is_ordinary_compact_utf8_json() -> None:
    value: dict[str, Json] = {"city": 'Москва "центр"\n', "lat": 55.7601, "n": 3, "ok": True}
    raw = render_json({"nested": [value, (), None]})
    assert json.loads(raw) == {"nested": [value, [], None]}
    assert "Москва".encode() in raw


@pytest.mark.parametrize("bad", [Decimal("NaN"), float("inf")])
def test_non_finite_numbers_are_refused(bad: Decimal | float) -> None:
    with pytest.raises(ValueError, match=r"finite|NaN"):
        render_json({"x": bad})


def test_times_are_rfc3339_in_moscow_time() -> None:
    moment = datetime(2025, 12, 3, 7, 15, 0, 123456, tzinfo=UTC)
    assert format_time(moment) == "2025-12-03T10:15:00.123+03:00"
    assert datetime.fromisoformat(format_time(moment)) == moment.replace(microsecond=123000)


def test_the_docs_describe_the_request_bodies_with_contract_examples(sandbox: FastAPI) -> None:
    paths = sandbox.openapi()["paths"]
    body = paths["/v1/calculate"]["post"]["requestBody"]["content"]["application/json"]
    assert "$ref" not in json.dumps(body["schema"])
    assert set(body["schema"]["properties"]) >= {"from", "to", "packages", "declared_value"}
    assert body["example"]["from"] == {"warehouse_id": "WH-1"}
    assert "requestBody" in paths["/v1/orders"]["post"]
    assert "/_sandbox/orders/{order_id}/advance" in paths
