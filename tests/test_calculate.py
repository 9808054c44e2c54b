"""POST /api/v1/calculate through the Ozon Rocket sandbox."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import httpx

from app.sandbox.ozon_rocket.faults import Fault
from tests.conftest import ADMIN, ShopHandle, make_shop


def calc_body(shop: ShopHandle, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shop_id": shop.id,
        "bitrix_delivery_id": 12,
        "delivery_type": "to_address",
        "address": {"city": "Москва", "street": "Тверская", "house": "7"},
        "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
        "declared_value": 4990.00,
        "payment_method": "prepaid",
    }
    body.update(over)
    return body


def ozon_calls(sandbox: Any, path: str = "/v1/calculate") -> int:
    stats = sandbox.state.sandbox.stats()
    return int(stats["requests"].get(path, 0))


async def test_calculate_selects_cheapest_with_a_russian_description(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    resp = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["cached"] is False
    prices = [Decimal(str(o["price"])) for o in body["options"]]
    assert body["selected"]["price"] == float(min(prices))
    assert {o["delivery_type"] for o in body["options"]} <= {"courier", "next_day"}
    assert body["selected"]["description"].startswith("Ozon Rocket курьером")


async def test_markup_and_rounding_apply_to_selected_price(client: httpx.AsyncClient) -> None:
    shop = await make_shop(
        client, pricing={"markup_percent": 10, "markup_fixed": 0.5, "rounding": "ceil_10"}
    )
    resp = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    selected = resp.json()["selected"]
    option = next(o for o in resp.json()["options"] if o["option_id"] == selected["option_id"])
    carrier = Decimal(str(option["carrier_price"]))
    expected = carrier * Decimal("1.1") + Decimal("0.5")
    assert Decimal(str(selected["price"])) % 10 == 0
    assert Decimal(str(selected["price"])) >= expected


async def test_free_delivery_from_order_value(client: httpx.AsyncClient) -> None:
    shop = await make_shop(client, pricing={"free_delivery_from": 3000})
    resp = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    assert resp.json()["selected"]["price"] == 0


async def test_fastest_strategy_picks_next_day_in_moscow(client: httpx.AsyncClient) -> None:
    shop = await make_shop(client, pricing={"strategy": "fastest"})
    resp = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    assert resp.json()["selected"]["delivery_type"] == "next_day"


async def test_unknown_place_is_200_with_no_selection(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    body = calc_body(shop, address={"city": "Атлантида"})
    resp = await client.post("/api/v1/calculate", json=body, headers=shop.headers)
    assert resp.status_code == 200
    assert resp.json()["options"] == []
    assert resp.json()["selected"] is None


async def test_repeated_calculation_is_cached_and_shared(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: Any
) -> None:
    before = ozon_calls(ozon_sandbox)
    answers = await asyncio.gather(
        *(
            client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
            for _ in range(20)
        )
    )
    assert all(a.status_code == 200 for a in answers)
    assert ozon_calls(ozon_sandbox) - before == 1
    again = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    assert again.json()["cached"] is True
    assert again.json()["selected"] == answers[0].json()["selected"]
    assert ozon_calls(ozon_sandbox) - before == 1


async def test_settings_change_invalidates_cached_prices(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    first = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    put = await client.put(
        f"/api/v1/shops/{shop.id}/delivery-services/12",
        json={
            "params": {
                "OZON_API_KEY": "sandbox-key-0001",
                "SELLER_ID": "seller-1",
                "DEFAULT_WAREHOUSE_ID": "WH-1",
                "PARTIAL_ACCEPT": True,
            },
            "pricing": {"markup_fixed": 100},
        },
        headers=shop.headers,
    )
    assert put.status_code == 200
    second = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    assert second.json()["cached"] is False
    assert second.json()["selected"]["price"] == first.json()["selected"]["price"] + 100


async def test_ozon_down_answers_503_within_deadline(
    client: httpx.AsyncClient, shop: ShopHandle, ozon_sandbox: Any
) -> None:
    ozon_sandbox.state.sandbox.faults.add(Fault(path_prefix="/v1/calculate", hang=True))
    loop = asyncio.get_running_loop()
    started = loop.time()
    resp = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    elapsed = loop.time() - started
    ozon_sandbox.state.sandbox.faults.clear()
    assert resp.status_code == 503
    assert resp.headers["content-type"] == "application/problem+json"
    assert "fallback_price" in resp.json()["detail"]
    assert elapsed < 2.5  # the test settings' deadline is 1 s


async def test_ozon_down_with_fallback_price_answers_it(
    client: httpx.AsyncClient, ozon_sandbox: Any
) -> None:
    shop = await make_shop(client, pricing={"fallback_price": 450})
    ozon_sandbox.state.sandbox.faults.add(Fault(path_prefix="/v1/calculate", status=503))
    resp = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    ozon_sandbox.state.sandbox.faults.clear()
    assert resp.status_code == 200
    assert resp.json()["fallback"] is True
    assert resp.json()["selected"]["price"] == 450


async def test_bad_input_names_the_field(client: httpx.AsyncClient, shop: ShopHandle) -> None:
    cases = {
        "packages.0.weight": calc_body(
            shop, packages=[{"weight": -5, "length": 1, "width": 1, "height": 1}]
        ),
        "packages.0.length": calc_body(
            shop, packages=[{"weight": 5, "length": 99999, "width": 1, "height": 1}]
        ),
        "packages": calc_body(shop, packages=[]),
        "address": calc_body(shop, address=None),
        "declared_value": calc_body(shop, declared_value=-1),
    }
    for field, body in cases.items():
        resp = await client.post("/api/v1/calculate", json=body, headers=shop.headers)
        assert resp.status_code == 422, (field, resp.text)
        assert resp.headers["content-type"] == "application/problem+json"
        locs = [".".join(map(str, e["loc"])) for e in resp.json()["errors"]]
        assert any(field in loc for loc in locs) or field in resp.json()["errors"][0]["msg"], (
            field,
            locs,
        )


async def test_unknown_delivery_service_is_404(client: httpx.AsyncClient, shop: ShopHandle) -> None:
    resp = await client.post(
        "/api/v1/calculate", json=calc_body(shop, bitrix_delivery_id=999), headers=shop.headers
    )
    assert resp.status_code == 404
    assert "999" in resp.json()["detail"]


async def test_another_shops_delivery_service_is_404(client: httpx.AsyncClient) -> None:
    mine = await make_shop(client, name="A")
    theirs = await make_shop(client, name="B")
    resp = await client.post("/api/v1/calculate", json=calc_body(theirs), headers=mine.headers)
    assert resp.status_code == 404


async def test_default_package_used_when_none_sent(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    body = calc_body(shop)
    del body["packages"]
    resp = await client.post("/api/v1/calculate", json=body, headers=shop.headers)
    assert resp.status_code == 200
    assert resp.json()["selected"] is not None


async def test_rejected_api_key_is_a_clear_4xx(client: httpx.AsyncClient) -> None:
    shop = await make_shop(
        client,
        params={
            "OZON_API_KEY": "invalid-key-1234",
            "SELLER_ID": "s",
            "DEFAULT_WAREHOUSE_ID": "WH-1",
            "PARTIAL_ACCEPT": True,
        },
    )
    resp = await client.post("/api/v1/calculate", json=calc_body(shop), headers=shop.headers)
    assert resp.status_code == 424
    assert "OZON_API_KEY" in resp.json()["detail"]
    assert "invalid-key-1234" not in resp.text


async def test_admin_can_calculate_for_any_shop(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    resp = await client.post("/api/v1/calculate", json=calc_body(shop), headers=ADMIN)
    assert resp.status_code == 200


async def test_a_body_seen_before_is_still_checked_against_the_token(
    client: httpx.AsyncClient,
) -> None:
    owner = await make_shop(client, name="Owner")
    other = await make_shop(client, name="Other")
    raw = json.dumps(calc_body(owner)).encode()
    headers = {"Content-Type": "application/json"}
    mine = await client.post("/api/v1/calculate", content=raw, headers=owner.headers | headers)
    assert mine.status_code == 200
    # The same bytes, already validated once, from another shop's token.
    theirs = await client.post("/api/v1/calculate", content=raw, headers=other.headers | headers)
    assert theirs.status_code == 404
    assert theirs.headers["content-type"] == "application/problem+json"
    again = await client.post("/api/v1/calculate", content=raw, headers=owner.headers | headers)
    assert again.json()["cached"] is True


async def test_invalid_json_is_a_422_naming_the_body(
    client: httpx.AsyncClient, shop: ShopHandle
) -> None:
    for raw in (b"{not json", b"", b"[]"):
        resp = await client.post("/api/v1/calculate", content=raw, headers=shop.headers)
        assert resp.status_code == 422, raw
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.json()["errors"][0]["loc"][0] == "body"
