"""Ozon Rocket wire helpers: money written as exact 2-decimal numbers, read back as Decimal."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ozon.wire import CreatedOrderWire, ErrorWire, decode_json, encode_json


def test_money_is_a_json_number_with_two_decimals() -> None:
    raw = encode_json({"declared_value": Decimal("4990"), "price": Decimal("349.9")})

    assert raw == b'{"declared_value":4990.00,"price":349.90}'


def test_other_json_values_and_cyrillic_are_written_plainly() -> None:
    raw = encode_json({"a": [1, True, False, None, 'Москва "7"'], "b": {}})

    assert json.loads(raw) == {"a": [1, True, False, None, 'Москва "7"'], "b": {}}
    assert "Москва".encode() in raw


def test_non_finite_money_is_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        encode_json({"price": Decimal("NaN")})


@given(
    st.decimals(
        min_value=Decimal("0"), max_value=Decimal("99999999999.99"), places=2, allow_nan=False
    )
)
def test_money_survives_a_round_trip_exactly(amount: Decimal) -> None:
    decoded = decode_json(encode_json({"price": amount}))

    assert isinstance(decoded, dict)
    assert decoded["price"] == amount


def test_fractions_are_decoded_as_decimal_never_float() -> None:
    decoded = decode_json(b'{"a": 0.1, "b": 0.2, "n": 3}')

    assert decoded == {"a": Decimal("0.1"), "b": Decimal("0.2"), "n": 3}


def test_error_details_are_normalised_to_lists_of_strings() -> None:
    error = ErrorWire.model_validate(
        {"error_code": "VALIDATION_ERROR", "details": {"a": ["x", "y"], "b": "z", "c": 3}}
    )

    assert error.details_map() == {"a": ["x", "y"], "b": ["z"], "c": ["3"]}
    assert ErrorWire.model_validate({"details": ["odd"]}).details_map() == {}


def test_naive_times_are_read_as_utc_and_offsets_converted() -> None:
    base = {"order_id": "R", "seller_order_number": "S", "status": "created"}

    naive = CreatedOrderWire.model_validate({**base, "created_at": "2026-12-01T10:00:00"})
    offset = CreatedOrderWire.model_validate({**base, "created_at": "2026-12-01T13:00:00+03:00"})

    assert naive.created_at == offset.created_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert offset.created_at is not None
    assert offset.created_at.tzinfo is UTC
