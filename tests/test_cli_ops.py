"""The operator's commands: shop create, outbox list|retry, secrets rotate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner, Result

from app.cli import cli
from app.config import Settings, get_settings
from app.crypto import SecretBox, new_fernet_key
from tests.conftest import ShopHandle
from tests.test_shipments import shipment_body
from tests.test_webhooks import db_rows


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def invoke(settings: Settings, *args: str, secret_key: str | None = None) -> Result:
    """The command as an operator runs it: its own event loop (in a thread), settings from env."""
    assert settings.secret_key is not None
    env = {
        "DATABASE_URL": settings.database_url or "",
        "SECRET_KEY": secret_key or settings.secret_key.get_secret_value(),
        "ALLOW_LOCAL_URLS": "true",
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)


async def test_shop_create_prints_a_token_that_works(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    result = await invoke(
        settings, "shop", "create", "Магазин из консоли", "--webhook-secret", "whsec_cli_0001"
    )

    assert result.exit_code == 0, result.output
    lines = dict(line.split(":", 1) for line in result.output.splitlines())
    shop_id, token = lines["shop id"].strip(), lines["token"].split()[0]
    got = await client.get(f"/api/v1/shops/{shop_id}", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200
    assert got.json()["name"] == "Магазин из консоли"
    rows = await db_rows(settings, "SELECT token_hash FROM shops")
    assert token not in json.dumps(rows, default=str)


async def test_shop_create_refuses_a_private_bitrix_url_without_allow_local(
    settings: Settings,
) -> None:
    result = await invoke(
        settings.model_copy(update={"allow_local_urls": False}),
        "shop",
        "create",
        "x",
        "--bitrix-rest-url",
        "ftp://shop.ru/admin/",
    )
    assert result.exit_code != 0


async def test_outbox_list_and_retry_requeue_a_dead_message(
    client: httpx.AsyncClient, shop: ShopHandle, settings: Settings
) -> None:
    created = await client.post("/api/v1/shipments", json=shipment_body(shop), headers=shop.headers)
    assert created.status_code == 201
    await db_rows(settings, "UPDATE outbox SET state = 'dead', attempts = 10 RETURNING id")
    [row] = await db_rows(settings, "SELECT id FROM outbox")

    listed = await invoke(settings, "outbox", "list", "--state", "dead")
    assert listed.exit_code == 0, listed.output
    [line] = [json.loads(x) for x in listed.stdout.splitlines() if x.startswith("{")]
    assert (line["id"], line["state"]) == (row["id"], "dead")

    retried = await invoke(settings, "outbox", "retry", str(row["id"]))
    assert retried.exit_code == 0, retried.output
    [state] = await db_rows(settings, "SELECT state, attempts FROM outbox")
    assert state == {"state": "pending", "attempts": 0}

    missing = await invoke(settings, "outbox", "retry", "999999")
    assert missing.exit_code == 1
    assert "not found" in missing.output


async def test_secrets_rotate_reencrypts_everything_under_the_new_key(
    client: httpx.AsyncClient, shop: ShopHandle, settings: Settings
) -> None:
    patched = await client.patch(
        f"/api/v1/shops/{shop.id}",
        json={"bitrix_rest_url": "https://bitrix.test/rest/1/rotatesecret42/"},
        headers=shop.headers,
    )
    assert patched.status_code == 200, patched.text
    assert settings.secret_key is not None
    old = settings.secret_key.get_secret_value()
    new = new_fernet_key()

    result = await invoke(settings, "secrets", "rotate", secret_key=f"{new},{old}")

    assert result.exit_code == 0, result.output
    assert "re-encrypted 3 secrets" in result.output
    [row] = await db_rows(
        settings,
        "SELECT s.bitrix_rest_url_enc AS url, s.ozon_webhook_secrets_enc AS hooks, "
        "d.ozon_api_key_enc AS api_key FROM shops s JOIN delivery_services d ON d.shop_id = s.id",
    )
    only_new, only_old = SecretBox([new]), SecretBox([old])
    assert only_new.decrypt(row["url"]) == "https://bitrix.test/rest/1/rotatesecret42/"
    assert shop.webhook_secret in only_new.decrypt(row["hooks"])
    assert only_new.decrypt(row["api_key"]) == "sandbox-key-0001"
    for value in row.values():
        with pytest.raises(ValueError, match="cannot be decrypted"):
            only_old.decrypt(value)
