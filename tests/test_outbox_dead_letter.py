"""A message too old to matter is given up on (dead letter) and an operator can re-queue it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from app.outbox.dispatcher import Dispatcher, OutboxPolicy
from app.sandbox.bitrix.faults import FaultSpec
from tests.bitrix_world import dispatcher, drain, wire_bitrix
from tests.conftest import ADMIN, ShopHandle
from tests.test_outbox import ship


def aged_dispatcher(app: FastAPI, age: timedelta) -> Dispatcher:
    """The app's dispatcher on a clock `age` ahead: every message is that much older."""
    runtime = app.state.runtime
    return Dispatcher(
        runtime.engine,
        runtime.session_factory,
        runtime.secrets,
        runtime.bitrix,
        OutboxPolicy.from_settings(runtime.settings),
        clock=lambda: datetime.now(UTC) + age,
    )


async def test_a_message_older_than_the_max_age_goes_dead_and_can_be_retried(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    await ship(client, shop, portal, 10452, 20871)
    portal.state.set_fault(portal.portal_id, FaultSpec(mode="unavailable"))
    max_age = timedelta(hours=app.state.runtime.settings.outbox_max_age_hours)

    await dispatcher(app).run_once()  # young: a down shop only makes it wait
    failed = (await client.get("/api/v1/outbox?state=failed", headers=ADMIN)).json()
    assert [m["attempts"] for m in failed["items"]] == [1]
    await asyncio.sleep(0.1)  # the backoff (and the shop's pause) of 0.01-0.05 s in the tests

    await aged_dispatcher(app, max_age + timedelta(minutes=1)).run_once()

    dead = (await client.get("/api/v1/outbox?state=dead", headers=ADMIN)).json()
    assert dead["total"] == 1
    message = dead["items"][0]
    assert (message["attempts"], message["payload"]["status_id"]) == (2, "OS")
    assert "Bitrix unavailable" in message["last_error"]
    assert await drain(app) == 0  # a dead message is not sent again by itself
    assert portal.status_updates(20871) == []

    portal.state.clear_fault(portal.portal_id)
    retried = await client.post(f"/api/v1/outbox/{message['id']}/retry", headers=ADMIN)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["state"], retried.json()["attempts"]) == ("pending", 0)
    await asyncio.sleep(0.1)  # the shop's last pause ends
    assert await drain(app) == 1
    assert portal.status_updates(20871) == ["OS"]
    done = (await client.get("/api/v1/outbox?state=done", headers=ADMIN)).json()
    assert [m["id"] for m in done["items"]] == [message["id"]]


async def test_a_retried_message_gets_a_fresh_max_age(
    app: FastAPI, client: httpx.AsyncClient, shop: ShopHandle, bitrix_sandbox: FastAPI
) -> None:
    portal = await wire_bitrix(app, client, bitrix_sandbox, shop)
    await ship(client, shop, portal, 10452, 20871)
    max_age = timedelta(hours=app.state.runtime.settings.outbox_max_age_hours)
    async with app.state.runtime.engine.begin() as conn:  # a message from days ago
        await conn.execute(
            text("UPDATE outbox SET created_at = :then"),
            {"then": datetime.now(UTC) - max_age - timedelta(1)},
        )
    portal.state.set_fault(portal.portal_id, FaultSpec(mode="unavailable"))
    await dispatcher(app).run_once()
    dead = (await client.get("/api/v1/outbox?state=dead", headers=ADMIN)).json()["items"]
    assert [m["attempts"] for m in dead] == [1]

    retried = await client.post(f"/api/v1/outbox/{dead[0]['id']}/retry", headers=ADMIN)
    assert retried.json()["requeued_at"] is not None
    await asyncio.sleep(0.1)  # the shop's pause ends
    await dispatcher(app).run_once()  # Bitrix still down: one more failure, not a death
    failed = (await client.get("/api/v1/outbox?state=failed", headers=ADMIN)).json()["items"]
    assert [(m["id"], m["attempts"]) for m in failed] == [(dead[0]["id"], 1)]

    portal.state.clear_fault(portal.portal_id)
    await asyncio.sleep(0.1)
    assert await drain(app) == 1
    assert portal.status_updates(20871) == ["OS"]
