"""POST /v1/calculate: options, prices, cities, pickup points and validation."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.sandbox.ozon_rocket import SandboxState
from tests.sandbox.conftest import quote_body

Headers = dict[str, str]


async def options_for(ozon: httpx.AsyncClient, auth: Headers, body: dict[str, Any]) -> list[Any]:
    response = await ozon.post("/v1/calculate", json=body, headers=auth)
    assert response.status_code == 200, response.text
    options: list[Any] = response.json()["options"]
    return options


def types(options: list[Any]) -> list[str]:
    return [option["delivery_type"] for option in options]


def to_point(point_id: str, **changes: Any) -> dict[str, Any]:
    return quote_body(
        to={"delivery_type": "to_pickup_point", "pickup_point_id": point_id}, **changes
    )


async def test_moscow_gets_courier_and_next_day_cheapest_first(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    options = await options_for(ozon, auth, quote_body())
    assert types(options) == ["courier", "next_day"]
    prices = [Decimal(str(option["price"])) for option in options]
    assert prices == sorted(prices)
    courier = options[0]
    assert courier["option_id"] == "opt_courier_std"
    assert courier["currency"] == "RUB"
    assert courier["partial_acceptance"] is True
    assert courier["cash_on_delivery"] is True
    assert options[1]["cash_on_delivery"] is False
    assert (options[1]["days_min"], options[1]["days_max"]) == (1, 1)


async def test_money_is_a_json_number_with_exactly_two_decimals(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    response = await ozon.post("/v1/calculate", json=quote_body(), headers=auth)
    prices = re.findall(r'"price":([^,}]+)', response.text)
    assert prices
    assert all(re.fullmatch(r"\d+\.\d{2}", price) for price in prices)


async def test_a_pickup_point_destination_adds_the_cheapest_option(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    options = await options_for(ozon, auth, to_point("PVZ-77-000123"))
    assert options[0]["delivery_type"] == "pickup_point"
    assert options[0]["option_id"] == "opt_pickup_point"
    assert "courier" in types(options)
    assert options[0]["days_max"] > options[0]["days_min"]


async def test_a_locker_option_never_allows_partial_acceptance(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    body = to_point("LCK-78-000045", **{"from": {"warehouse_id": "WH-2"}})
    locker = (await options_for(ozon, auth, body))[0]
    assert locker["delivery_type"] == "pickup_point"
    assert locker["tariff"] == "Locker"
    assert locker["partial_acceptance"] is False


async def test_a_parcel_over_the_point_limits_gets_no_pickup_option(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    heavy = [{"weight": 20000, "length": 300, "width": 200, "height": 100}]
    body = to_point("LCK-78-000045", packages=heavy, **{"from": {"warehouse_id": "WH-2"}})
    assert "pickup_point" not in types(await options_for(ozon, auth, body))
    long_box = [{"weight": 1000, "length": 700, "width": 100, "height": 100}]
    body = to_point("LCK-78-000045", packages=long_box, **{"from": {"warehouse_id": "WH-2"}})
    assert "pickup_point" not in types(await options_for(ozon, auth, body))


@pytest.mark.parametrize("city", ["Урюпинск", "Atlantis", "Moscow"])
async def test_an_unknown_city_is_200_with_no_options(
    ozon: httpx.AsyncClient, auth: Headers, city: str
) -> None:
    assert await options_for(ozon, auth, quote_body(city)) == []


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [("МОСКВА", "Москва"), ("  г. москва ", "Москва"), ("Орел", "Орёл"), ("КОРОЛЕВ", "Королёв")],
)
async def test_city_match_ignores_case_yo_and_prefix(
    ozon: httpx.AsyncClient, auth: Headers, spelling: str, canonical: str
) -> None:
    assert await options_for(ozon, auth, quote_body(spelling)) == await options_for(
        ozon, auth, quote_body(canonical)
    )
    assert await options_for(ozon, auth, quote_body(spelling))


@pytest.mark.parametrize(
    ("warehouse", "city", "next_day"),
    [
        ("WH-1", "Москва", True),
        ("WH-2", "Санкт-Петербург", True),
        ("WH-1", "Санкт-Петербург", True),
        ("WH-1", "Казань", True),
        ("WH-1", "Екатеринбург", False),  # too far for Next Day
        ("WH-4", "Екатеринбург", True),
        ("WH-1", "Воронеж", False),  # not a Next Day city
        ("WH-1", "Новосибирск", False),
    ],
)
async def test_next_day_only_in_its_cities_from_a_near_warehouse(
    ozon: httpx.AsyncClient, auth: Headers, warehouse: str, city: str, next_day: bool
) -> None:
    body = quote_body(city, **{"from": {"warehouse_id": warehouse}})
    options = await options_for(ozon, auth, body)
    assert ("next_day" in types(options)) is next_day
    assert "courier" in types(options)


async def test_cash_on_delivery_drops_next_day_and_costs_more(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    prepaid = await options_for(ozon, auth, quote_body())
    cod = await options_for(ozon, auth, quote_body(payment_method="cash_on_delivery"))
    assert types(cod) == ["courier"]
    assert Decimal(str(cod[0]["price"])) > Decimal(str(prepaid[0]["price"]))


async def test_farther_is_dearer_and_slower(ozon: httpx.AsyncClient, auth: Headers) -> None:
    near = (await options_for(ozon, auth, quote_body("Москва")))[0]
    far = (await options_for(ozon, auth, quote_body("Владивосток")))[0]
    assert Decimal(str(far["price"])) > Decimal(str(near["price"]))
    assert far["days_max"] > near["days_max"]


async def test_a_bulky_light_parcel_is_billed_by_volume(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    small = {"weight": 500, "length": 100, "width": 100, "height": 100}
    bulky = {"weight": 500, "length": 600, "width": 500, "height": 400}  # 24 kg volumetric
    small_price = (await options_for(ozon, auth, quote_body(packages=[small])))[0]["price"]
    bulky_price = (await options_for(ozon, auth, quote_body(packages=[bulky])))[0]["price"]
    assert Decimal(str(bulky_price)) > Decimal(str(small_price))


async def test_the_same_request_is_priced_the_same(ozon: httpx.AsyncClient, auth: Headers) -> None:
    assert await options_for(ozon, auth, quote_body()) == await options_for(
        ozon, auth, quote_body()
    )


async def test_invalid_fields_are_reported_by_path(ozon: httpx.AsyncClient, auth: Headers) -> None:
    body = quote_body(
        packages=[{"weight": 0, "length": 1.5, "width": 200, "height": "100"}],
        declared_value=-1,
    )
    response = await ozon.post("/v1/calculate", json=body, headers=auth)
    assert response.status_code == 400
    error = response.json()
    assert error["error_code"] == "VALIDATION_ERROR"
    assert error["details"] == {
        "packages[0].weight": ["must be > 0"],
        "packages[0].length": ["must be an integer"],
        "packages[0].height": ["must be an integer"],
        "declared_value": ["must be >= 0"],
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"packages": []}, "packages"),
        ({"from": {}}, "from.warehouse_id"),
        ({"to": {"delivery_type": "to_door"}}, "to.delivery_type"),
        ({"to": {"delivery_type": "to_address"}}, "to.address"),
        ({"to": {"delivery_type": "to_address", "address": {"city": ""}}}, "to.address.city"),
        ({"to": {"delivery_type": "to_pickup_point"}}, "to.pickup_point_id"),
        ({"declared_value": "4990.00"}, "declared_value"),
        ({"declared_value": 10.001}, "declared_value"),
        ({"payment_method": "barter"}, "payment_method"),
    ],
)
async def test_each_rule_of_the_request_is_enforced(
    ozon: httpx.AsyncClient, auth: Headers, changes: dict[str, Any], field: str
) -> None:
    response = await ozon.post("/v1/calculate", json=quote_body(**changes), headers=auth)
    assert response.status_code == 400, response.text
    assert field in response.json()["details"]


async def test_a_body_that_is_not_json_is_a_validation_error(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    response = await ozon.post("/v1/calculate", content=b"{nope", headers=auth)
    assert response.status_code == 400
    assert response.json()["details"] == {"body": ["must be a valid JSON document"]}


async def test_an_unknown_warehouse_is_404(ozon: httpx.AsyncClient, auth: Headers) -> None:
    body = quote_body(**{"from": {"warehouse_id": "WH-404"}})
    response = await ozon.post("/v1/calculate", json=body, headers=auth)
    assert response.status_code == 404
    assert response.json()["error_code"] == "WAREHOUSE_NOT_FOUND"


async def test_an_unknown_or_inactive_pickup_point_is_400(
    ozon: httpx.AsyncClient, auth: Headers, state: SandboxState
) -> None:
    response = await ozon.post("/v1/calculate", json=to_point("PVZ-77-999999"), headers=auth)
    assert response.status_code == 400
    assert response.json()["details"] == {"to.pickup_point_id": ["pickup point not found"]}
    inactive = next(p for p in state.network.listing() if not p.is_active)
    response = await ozon.post("/v1/calculate", json=to_point(inactive.id), headers=auth)
    assert response.status_code == 400
    assert response.json()["details"] == {"to.pickup_point_id": ["pickup point is not active"]}
