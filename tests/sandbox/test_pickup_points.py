"""GET /v1/pickup-points paging and filtering, the generated network and its control calls."""

from __future__ import annotations

import base64
import json
import re
from collections import Counter

import httpx
import pytest

from app.sandbox.ozon_rocket import SandboxClock, SandboxConfig, SandboxState
from app.sandbox.ozon_rocket import create_ozon_rocket_sandbox as create_sandbox
from app.sandbox.ozon_rocket.geography import CITIES
from app.sandbox.ozon_rocket.network import generate_points
from tests.sandbox.conftest import BASE_URL, SMALL_NETWORK, bearer, quote_body

Headers = dict[str, str]


async def walk(ozon: httpx.AsyncClient, auth: Headers, **params: str | int) -> list[str]:
    ids: list[str] = []
    token: str | None = None
    while True:
        query = {**params, **({"page_token": token} if token else {})}
        response = await ozon.get("/v1/pickup-points", params=query, headers=auth)
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [point["id"] for point in page["points"]]
        token = page["next_page_token"]
        if token is None:
            return ids


async def test_paging_covers_the_default_network_exactly_once(clock: SandboxClock) -> None:
    app = create_sandbox(SandboxConfig(clock=clock))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        ids = await walk(c, await bearer(c), limit=1000)
    assert len(ids) >= 7000
    assert len(ids) == len(set(ids)) == len(app.state.sandbox.network)


async def test_the_default_page_is_500_and_the_token_is_an_opaque_offset(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    page = (await ozon.get("/v1/pickup-points", headers=auth)).json()
    assert len(page["points"]) == 500
    assert page["next_page_token"] == "eyJvZmZzZXQiOjUwMH0"  # the contract's own example
    padded = page["next_page_token"] + "=" * (-len(page["next_page_token"]) % 4)
    assert json.loads(base64.urlsafe_b64decode(padded)) == {"offset": 500}


async def test_a_point_has_every_contract_field(ozon: httpx.AsyncClient, auth: Headers) -> None:
    page = await ozon.get(
        "/v1/pickup-points", params={"city": "Москва", "limit": 1000}, headers=auth
    )
    point = next(p for p in page.json()["points"] if p["id"] == "PVZ-77-000123")
    assert point == {
        "id": "PVZ-77-000123",
        "type": "pvz",
        "name": "Ozon ПВЗ Тверская 7",
        "city": "Москва",
        "address": "Москва, Тверская ул., 7",
        "lat": 55.7601,
        "lon": 37.611,
        "working_hours": "Пн-Вс 10:00-21:00",
        "max_weight": 25000,
        "max_length": 1200,
        "max_width": 800,
        "max_height": 800,
        "cash_on_delivery": True,
        "card_payment": True,
        "partial_acceptance": True,
        "is_active": True,
        "updated_at": "2025-11-01T09:00:00.000+03:00",
    }


@pytest.mark.parametrize("spelling", ["Санкт-Петербург", "САНКТ-ПЕТЕРБУРГ", "санкт-петербург "])
async def test_the_city_filter_ignores_case(
    ozon: httpx.AsyncClient, auth: Headers, state: SandboxState, spelling: str
) -> None:
    ids = await walk(ozon, auth, city=spelling, limit=100)
    expected = [p.id for p in state.network.listing() if p.city == "Санкт-Петербург"]
    assert ids == expected
    assert len(ids) > 100


async def test_the_city_filter_ignores_yo(ozon: httpx.AsyncClient, auth: Headers) -> None:
    assert await walk(ozon, auth, city="Орел") == await walk(ozon, auth, city="Орёл")
    assert await walk(ozon, auth, city="Орёл")


async def test_an_unknown_city_has_no_points(ozon: httpx.AsyncClient, auth: Headers) -> None:
    page = (await ozon.get("/v1/pickup-points", params={"city": "Урюпинск"}, headers=auth)).json()
    assert page == {"points": [], "next_page_token": None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "1001"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"page_token": "not-a-token"}, "page_token"),
        ({"page_token": "eyJvZmZzZXQiOi0xfQ"}, "page_token"),  # {"offset":-1}
    ],
)
async def test_bad_paging_parameters_are_400(
    ozon: httpx.AsyncClient, auth: Headers, params: dict[str, str], field: str
) -> None:
    response = await ozon.get("/v1/pickup-points", params=params, headers=auth)
    assert response.status_code == 400
    assert field in response.json()["details"]


async def test_a_deactivated_point_is_listed_inactive_and_no_longer_quoted(
    ozon: httpx.AsyncClient, auth: Headers, clock: SandboxClock
) -> None:
    clock.advance(60)
    patched = await ozon.patch("/_sandbox/pickup-points/PVZ-77-000123", json={"is_active": False})
    assert patched.status_code == 200
    assert patched.json()["is_active"] is False
    assert patched.json()["updated_at"] == "2025-12-03T13:01:00.000+03:00"
    to_point = {"delivery_type": "to_pickup_point", "pickup_point_id": "PVZ-77-000123"}
    response = await ozon.post("/v1/calculate", json=quote_body(to=to_point), headers=auth)
    assert response.status_code == 400


async def test_a_removed_point_disappears_and_an_added_one_appears(
    ozon: httpx.AsyncClient, auth: Headers
) -> None:
    before = set(await walk(ozon, auth, limit=1000))
    assert (await ozon.delete("/_sandbox/pickup-points/PVZ-77-000123")).status_code == 204
    added = await ozon.put(
        "/_sandbox/pickup-points/PVZ-77-900001",
        json={
            "type": "pvz",
            "name": "Ozon ПВЗ Арбат 1",
            "city": "москва",
            "address": "Москва, Арбат ул., 1",
            "lat": 55.7522,
            "lon": 37.5927,
        },
    )
    assert added.status_code == 200
    assert added.json()["city"] == "Москва"
    after = set(await walk(ozon, auth, limit=1000))
    assert before - after == {"PVZ-77-000123"}
    assert after - before == {"PVZ-77-900001"}
    missing = await ozon.delete("/_sandbox/pickup-points/PVZ-77-000123")
    assert missing.status_code == 404


async def test_reset_restores_the_generated_network(
    ozon: httpx.AsyncClient, auth: Headers, state: SandboxState
) -> None:
    await ozon.delete("/_sandbox/pickup-points/PVZ-77-000123")
    await ozon.post("/_sandbox/reset")
    assert state.network.get("PVZ-77-000123") is not None
    assert len(state.network) == SMALL_NETWORK


def test_generation_is_identical_for_a_seed_and_differs_across_seeds() -> None:
    assert generate_points(3000, seed=1) == generate_points(3000, seed=1)
    assert generate_points(3000, seed=1) != generate_points(3000, seed=2)


def test_ten_thousand_points_have_unique_ids() -> None:
    # How fast they generate is measured in bench/pickup_points.py, not asserted here.
    points = generate_points(10_000, seed=42)
    assert len(points) == 10_000
    assert len({point.id for point in points}) == 10_000


def test_the_network_looks_like_ozons() -> None:
    points = generate_points(7200, seed=20251203)
    ids = [point.id for point in points]
    assert len(set(ids)) == len(ids) == 7200
    assert all(re.fullmatch(r"(PVZ|LCK)-\d{2}-\d{6}", point_id) for point_id in ids)
    kinds = Counter(point.type for point in points)
    assert 0.2 < kinds["locker"] / len(points) < 0.4
    inactive = sum(not point.is_active for point in points) / len(points)
    assert 0.01 < inactive < 0.05
    assert all(not p.partial_acceptance for p in points if p.type == "locker")
    assert all(p.id.startswith("LCK") == (p.type == "locker") for p in points)
    per_city = Counter(point.city for point in points)
    assert set(per_city) == {city.name for city in CITIES}
    assert per_city.most_common(2)[0][0] == "Москва"
    assert per_city["Москва"] > 5 * per_city["Казань"]


def test_points_lie_around_their_city_centre() -> None:
    centres = {city.name: city for city in CITIES}
    for point in generate_points(2000, seed=5):
        centre = centres[point.city]
        assert abs(point.lat - centre.lat) < 0.6
        assert abs(point.lon - centre.lon) < 1.2
