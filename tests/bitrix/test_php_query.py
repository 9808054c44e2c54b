"""php_query: batch commands spelled so that PHP's parse_str (and so Bitrix) reads them back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.bitrix.client import command_string, php_query
from app.bitrix.port import Command
from app.sandbox.bitrix.phpquery import parse_php_query


def test_nested_fields_use_bracket_notation() -> None:
    query = php_query({"id": 456, "fields": {"statusId": "OT", "deliveryId": 12}})

    assert query == "id=456&fields[statusId]=OT&fields[deliveryId]=12"


def test_list_entries_get_indexes_so_their_fields_stay_together() -> None:
    lines = [{"basketId": 789, "acceptedQuantity": 1}, {"basketId": 790, "acceptedQuantity": 0}]

    query = php_query({"lines": lines})

    assert query == (
        "lines[0][basketId]=789&lines[0][acceptedQuantity]=1"
        "&lines[1][basketId]=790&lines[1][acceptedQuantity]=0"
    )
    assert parse_php_query(query) == {
        "lines": {
            "0": {"basketId": "789", "acceptedQuantity": "1"},
            "1": {"basketId": "790", "acceptedQuantity": "0"},
        }
    }


def test_cyrillic_and_separators_are_percent_encoded_utf8() -> None:
    query = php_query({"fields": {"comments": "Выкуплено 2 из 3 & вернуть 100%"}})

    assert query.isascii()
    assert "&" not in query.partition("=")[2]
    assert parse_php_query(query) == {"fields": {"comments": "Выкуплено 2 из 3 & вернуть 100%"}}


def test_decimals_are_plain_text_with_their_own_decimals() -> None:
    query = php_query(
        {"price": Decimal("349.90"), "big": Decimal("1E+3"), "quantity": Decimal("0.125")}
    )

    assert query == "price=349.90&big=1000&quantity=0.125"


def test_references_stay_readable_and_reach_bitrix_intact() -> None:
    reference = "$result[get][shipment][deliveryId]"

    query = php_query({"fields": {"deliveryId": reference}})

    assert query == f"fields[deliveryId]={reference}"
    assert parse_php_query(query) == {"fields": {"deliveryId": reference}}


def test_none_is_left_out_as_http_build_query_does() -> None:
    assert php_query({"id": 5, "orderStatusId": None}) == "id=5"


def test_operator_prefixes_in_filter_keys_survive() -> None:
    query = php_query({"filter": {">=id": 10, "!statusId": "DN"}})

    assert parse_php_query(query) == {"filter": {">=id": "10", "!statusId": "DN"}}


@pytest.mark.parametrize("value", [True, False, 1.5])
def test_booleans_and_floats_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        php_query({"fields": {"paid": value}})


def test_a_key_with_brackets_is_refused() -> None:
    with pytest.raises(ValueError, match="brackets"):
        php_query({"fields": {"a[b]": "x"}})


def test_a_command_is_its_method_and_its_query() -> None:
    assert command_string(Command("sale.shipment.get", {"id": 5})) == "sale.shipment.get?id=5"
    assert command_string(Command("sale.status.list", {})) == "sale.status.list"


@pytest.mark.parametrize("method", ["batch", "../admin", "sale.order.get?id=1", ""])
def test_a_command_must_name_one_plain_method(method: str) -> None:
    with pytest.raises(ValueError, match=r"method|batch"):
        command_string(Command(method, {}))


_KEYS = st.text(
    alphabet=st.characters(
        categories=["L", "N"], include_characters="_-!<>=@%&+#?", exclude_characters="[]"
    ),
    min_size=1,
    max_size=8,
)
_LEAVES = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)


def _as_php(value: Any) -> Any:
    """What parse_str gives back: strings at the leaves, lists as index-keyed arrays."""
    if isinstance(value, dict):
        return {key: _as_php(child) for key, child in value.items()}
    if isinstance(value, list):
        return {str(index): _as_php(child) for index, child in enumerate(value)}
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


_TREES = st.recursive(
    _LEAVES,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3),
        st.dictionaries(_KEYS, children, min_size=1, max_size=3),
    ),
    max_leaves=8,
)


@settings(max_examples=60)
@given(st.dictionaries(_KEYS.filter(lambda k: k.strip() == k and "." not in k), _TREES))
def test_parse_str_reads_back_what_was_encoded(params: dict[str, Any]) -> None:
    assert parse_php_query(php_query(params)) == _as_php(params)
