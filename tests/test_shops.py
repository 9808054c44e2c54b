"""Shops and delivery-service settings: auth, isolation, secrets masked and encrypted at rest."""

from __future__ import annotations

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from app.config import Settings
from tests.conftest import ADMIN, DEFAULT_PARAMS, make_shop


async def test_create_shop_returns_token_once_and_masks_secrets(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/shops",
        json={
            "name": "Посуда",
            "bitrix_rest_url": "http://127.0.0.1:9/rest/1/abcsecret123/",
            "ozon_webhook_secrets": ["whsec_supersecret_1"],
        },
        headers=ADMIN,
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["token"].startswith("ors_")
    assert "abcsecret123" not in resp.text
    assert "supersecret" not in resp.text
    assert body["bitrix_rest_url"] == "http://127.0.0.1:9/****"
    assert body["ozon_webhook_secrets"] == ["****et_1"]

    again = await client.get(f"/api/v1/shops/{body['id']}", headers=ADMIN)
    assert again.status_code == 200
    assert "token" not in again.json()


async def test_secrets_are_encrypted_at_rest(client: httpx.AsyncClient, settings: Settings) -> None:
    shop = await make_shop(client)
    u = make_url(settings.database_url or "")
    conn = await asyncpg.connect(
        host=u.query.get("host") or u.host, port=u.port, user=u.username, database=u.database
    )
    try:
        row = await conn.fetchrow("SELECT * FROM delivery_services")
        shop_row = await conn.fetchrow("SELECT * FROM shops")
    finally:
        await conn.close()
    assert row is not None
    assert shop_row is not None
    dump = str(dict(row)) + str(dict(shop_row))
    assert DEFAULT_PARAMS["OZON_API_KEY"] not in dump
    assert shop.token not in dump
    assert "whsec_" not in dump


async def test_shop_token_cannot_create_shops(client: httpx.AsyncClient) -> None:
    shop = await make_shop(client)
    resp = await client.post("/api/v1/shops", json={"name": "x"}, headers=shop.headers)
    assert resp.status_code == 403
    assert resp.headers["content-type"] == "application/problem+json"


async def test_missing_or_wrong_token_is_401_problem(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        resp = await client.get("/api/v1/shops", headers=headers)
        assert resp.status_code == 401
        assert resp.headers["content-type"] == "application/problem+json"
        assert "Bearer" in resp.json()["detail"]


async def test_another_shops_objects_answer_404(client: httpx.AsyncClient) -> None:
    mine = await make_shop(client, name="A")
    theirs = await make_shop(client, name="B")
    for path in (
        f"/api/v1/shops/{theirs.id}",
        f"/api/v1/shops/{theirs.id}/delivery-services/12",
    ):
        resp = await client.get(path, headers=mine.headers)
        assert resp.status_code == 404, path
    put = await client.put(
        f"/api/v1/shops/{theirs.id}/delivery-services/13",
        json={"params": DEFAULT_PARAMS},
        headers=mine.headers,
    )
    assert put.status_code == 404
    patch = await client.patch(
        f"/api/v1/shops/{theirs.id}", json={"name": "hijack"}, headers=mine.headers
    )
    assert patch.status_code == 404
    listed = await client.get("/api/v1/shops", headers=mine.headers)
    assert [s["id"] for s in listed.json()] == [mine.id]


async def test_put_delivery_service_creates_then_replaces_and_masks_key(
    client: httpx.AsyncClient,
) -> None:
    shop = await make_shop(client, delivery_id=None)
    path = f"/api/v1/shops/{shop.id}/delivery-services/7"
    params = {**DEFAULT_PARAMS, "OZON_API_KEY": "live-key-abcdef-a1b2", "PARTIAL_ACCEPT": "N"}
    first = await client.put(path, json={"params": params}, headers=shop.headers)
    assert first.status_code == 201, first.text
    assert first.json()["params"]["OZON_API_KEY"] == "****a1b2"
    assert first.json()["params"]["PARTIAL_ACCEPT"] is False
    assert first.json()["version"] == 1

    second = await client.put(
        path,
        json={
            "params": params,
            "pricing": {"strategy": "fixed", "fixed_delivery_type": "next_day"},
        },
        headers=ADMIN,
    )
    assert second.status_code == 200
    assert second.json()["version"] == 2
    got = await client.get(path, headers=shop.headers)
    assert got.json()["pricing"]["strategy"] == "fixed"
    assert "live-key" not in got.text


async def test_delivery_service_validation_names_fields(client: httpx.AsyncClient) -> None:
    shop = await make_shop(client, delivery_id=None)
    path = f"/api/v1/shops/{shop.id}/delivery-services/7"
    resp = await client.put(
        path,
        json={"params": {"SELLER_ID": "s"}, "pricing": {"strategy": "fixed"}, "bogus": 1},
        headers=shop.headers,
    )
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    locs = {".".join(map(str, e["loc"])) for e in resp.json()["errors"]}
    assert "body.params.OZON_API_KEY" in locs
    assert "body.bogus" in locs


async def test_bitrix_url_must_be_a_webhook_and_not_private(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    bad = await client.post(
        "/api/v1/shops",
        json={"name": "x", "bitrix_rest_url": "https://shop.ru/admin/"},
        headers=ADMIN,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "bitrix_rest_url"]


async def test_patch_rotates_webhook_secrets(client: httpx.AsyncClient) -> None:
    shop = await make_shop(client)
    resp = await client.patch(
        f"/api/v1/shops/{shop.id}",
        json={"ozon_webhook_secrets": ["whsec_old_secret_1", "whsec_new_secret_2"]},
        headers=shop.headers,
    )
    assert resp.status_code == 200
    assert resp.json()["ozon_webhook_secrets"] == ["****et_1", "****et_2"]


async def test_status_map_and_partial_settings_round_trip(client: httpx.AsyncClient) -> None:
    shop = await make_shop(client, delivery_id=None)
    path = f"/api/v1/shops/{shop.id}/delivery-services/7"
    resp = await client.put(
        path,
        json={
            "params": DEFAULT_PARAMS,
            "status_map": {"delivered": {"shipment_status": "DF", "order_status": "F"}},
            "partial_acceptance": {"refund_delivery": True},
        },
        headers=shop.headers,
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["status_map"]["delivered"] == {"shipment_status": "DF", "order_status": "F"}
    assert body["status_map"]["in_transit"] == {"shipment_status": "OT", "order_status": None}
    assert body["partial_acceptance"] == {"refund_delivery": True}
    bad = await client.put(
        path,
        json={"params": DEFAULT_PARAMS, "status_map": {"teleported": {"shipment_status": "XYZ"}}},
        headers=shop.headers,
    )
    assert bad.status_code == 422
