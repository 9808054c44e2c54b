"""The one command-line entry point: python -m app <command>."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp

from app.bitrix.status_setup import SetupReport
from app.config import Settings, get_settings
from app.crypto import SecretBox, new_fernet_key
from app.db import create_engine, create_session_factory
from app.devdb import resolve_database_url
from app.logging import configure_logging
from app.migrate import upgrade_to_head
from app.pickup_points.commands import pickup_points_cli

cli = typer.Typer(no_args_is_help=True, help="Ozon Rocket ⇄ 1C-Bitrix bridge")
T = TypeVar("T")


def run_server(app: ASGIApp, host: str, port: int) -> None:
    """How the bridge is served (bench/ serves its baselines the same way).

    uvloop and httptools when installed (uvicorn[standard]); our logging and no uvicorn access
    log: the middleware writes the one line per request, and uvicorn formats its access-log
    arguments on every request whenever the logger has a handler, even a disabled logger.
    """
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default action the process
    # would die there, skipping atexit (which stops the embedded PostgreSQL). Exit normally.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    uvicorn.run(
        app, host=host, port=port, loop="auto", http="auto", log_config=None, access_log=False
    )


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@cli.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API (and, unless RUN_WORKERS=false, the background work)."""
    from app.main import create_app

    settings = get_settings()
    url = resolve_database_url(settings.database_url, settings.var_dir)
    settings = settings.model_copy(update={"database_url": url})
    run_server(create_app(settings), host, port)


@cli.command()
def migrate() -> None:
    """Apply the database migrations (alembic upgrade head)."""
    settings = get_settings()
    upgrade_to_head(resolve_database_url(settings.database_url, settings.var_dir))
    typer.echo("migrations applied")


@cli.command("secret-key")
def secret_key() -> None:
    """Print a new key for SECRET_KEY."""
    typer.echo(new_fernet_key())


@cli.command()
def dev(host: str = "127.0.0.1", port: int = 8000) -> None:
    """`make run`: embedded database, migrations, the Ozon Rocket sandbox and a demo shop."""
    from app.demo import DemoWiring, curl_example, ensure_demo_shop
    from app.main import create_app

    var = Path(os.environ.get("VAR_DIR", "var"))
    var.mkdir(parents=True, exist_ok=True)
    key_file = var / "secret_key"
    if not key_file.exists():
        key_file.write_text(new_fernet_key())
        key_file.chmod(0o600)
    base = f"http://{host}:{port}"
    defaults = {
        "ADMIN_TOKEN": "demo-admin-token",
        "SECRET_KEY": key_file.read_text().strip(),
        "SANDBOX": "true",
        "ALLOW_LOCAL_URLS": "true",
        "OZON_BASE_URL": f"{base}/sandbox/ozon-rocket",
        "LOG_JSON": "false",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    settings = Settings()
    url = resolve_database_url(settings.database_url, str(var))
    settings = settings.model_copy(update={"database_url": url})
    upgrade_to_head(url)
    assert settings.secret_key is not None
    box = SecretBox.from_setting(settings.secret_key.get_secret_value())
    demo = ensure_demo_shop(url, box, var / "demo_shop.json", base)
    admin = settings.admin_token.get_secret_value() if settings.admin_token else "(unset)"
    typer.echo(
        "\n".join(
            [
                "",
                "Ozon Rocket ⇄ Bitrix bridge — sandbox demo",
                f"  API docs:      {base}/docs",
                f"  Ozon sandbox:  {base}/sandbox/ozon-rocket/docs",
                f"  Admin token:   {admin}",
                f"  Demo shop:     {demo.shop_id} (token {demo.token})",
                "  Calculate a delivery:",
                "",
                curl_example(base, demo),
                "",
            ]
        )
    )
    run_server(create_app(settings, demo=DemoWiring(shop=demo, base_url=base)), host, port)


@cli.command()
def worker() -> None:
    """Run the background work alone (outbox to Bitrix, reconciliation); start any number."""
    from app.main import build_runtime
    from app.workers import Workers

    settings = _settings_with_database()
    configure_logging(settings.log_level, json=settings.log_json)

    async def run() -> None:
        runtime = build_runtime(settings)
        workers = Workers(runtime)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        workers.start()
        await stop.wait()
        await workers.shutdown()
        await runtime.aclose()

    asyncio.run(run())


@cli.command()
def demo(base_url: str = "http://127.0.0.1:8000") -> None:
    """Play the whole story against a running `make run`: calculate, create, statuses, partial
    acceptance — and show what Ozon, the bridge and Bitrix each saw."""
    from app.demo import read_demo_shop
    from app.demo_story import Story

    var = Path(os.environ.get("VAR_DIR", "var"))
    shop = read_demo_shop(var / "demo_shop.json")
    if shop is None:
        raise typer.BadParameter("no demo shop: start `make run` first")
    Story(base_url, shop.shop_id, shop.token, typer.echo).run()


bitrix_cli = typer.Typer(no_args_is_help=True, help="The shops' Bitrix side")
cli.add_typer(bitrix_cli, name="bitrix")
cli.add_typer(pickup_points_cli, name="pickup-points")


@bitrix_cli.command("setup-statuses")
def setup_statuses(shop_id: str) -> None:
    """Create the delivery statuses the bridge pushes (with Russian names) in a shop's Bitrix."""
    from app.bitrix.setup import setup_shop_statuses
    from app.main import build_runtime
    from app.shops.models import Shop

    settings = _settings_with_database()

    async def run() -> SetupReport:
        runtime = build_runtime(settings)
        try:
            async with runtime.session_factory() as session:
                shop = await session.get(Shop, uuid.UUID(shop_id))
                if shop is None:
                    raise typer.BadParameter(f"shop {shop_id} not found")
                return await setup_shop_statuses(session, shop, runtime.secrets, runtime.bitrix)
        finally:
            await runtime.aclose()

    report = asyncio.run(run())
    typer.echo(f"created: {', '.join(report.created) or '-'}")
    typer.echo(f"already there: {', '.join(report.present) or '-'}")
    for status_id, error in report.failed.items():
        typer.echo(f"failed: {status_id}: {error}", err=True)
    if report.failed:
        raise typer.Exit(1)


shop_cli = typer.Typer(no_args_is_help=True, help="Shops")
outbox_cli = typer.Typer(no_args_is_help=True, help="The outbox to the shops' Bitrix")
secrets_cli = typer.Typer(no_args_is_help=True, help="Secrets stored encrypted (SECRET_KEY)")
cli.add_typer(shop_cli, name="shop")
cli.add_typer(outbox_cli, name="outbox")
cli.add_typer(secrets_cli, name="secrets")


@shop_cli.command("create")
def shop_create(
    name: str,
    bitrix_rest_url: str | None = typer.Option(None, help="https://<shop>/rest/<user>/<key>/"),
    webhook_secret: list[str] = typer.Option([], help="Ozon's signing secret (up to two)"),
    bitrix_module: bool = typer.Option(False, help="The shop runs our Bitrix module"),
) -> None:
    """Register a shop and print its id and token (shown once, stored hashed)."""
    from pydantic import ValidationError

    from app.errors import BridgeError
    from app.shops.schemas import ShopCreate
    from app.shops.service import BucketLimits, create_shop

    try:
        body = ShopCreate(
            name=name,
            bitrix_rest_url=bitrix_rest_url,
            ozon_webhook_secrets=webhook_secret,
            bitrix_module=bitrix_module,
        )
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    settings = _settings_with_database()

    async def work(session: AsyncSession, box: SecretBox) -> tuple[str, str]:
        shop, token = await create_shop(
            session,
            body,
            box,
            allow_local=settings.allow_local_urls,
            default_bucket=BucketLimits.from_settings(settings),
        )
        return str(shop.id), token

    try:
        shop_id, token = _in_session(settings, work)
    except BridgeError as exc:
        raise typer.BadParameter(exc.detail) from exc
    typer.echo(f"shop id: {shop_id}")
    typer.echo(f"token:   {token}  (shown once: put it into the Bitrix module)")


@outbox_cli.command("list")
def outbox_list(
    state: str | None = typer.Option(None, help="pending | failed | dead | done"),
    shop_id: str | None = typer.Option(None),
    limit: int = typer.Option(100, min=1, max=500),
) -> None:
    """The messages waiting for, or given up on by, the shops' Bitrix (one JSON line each)."""
    from typing import get_args

    from app.outbox.schemas import OutboxMessageOut, OutboxState
    from app.outbox.service import list_messages

    if state is not None and state not in get_args(OutboxState):
        raise typer.BadParameter(f"state must be one of {', '.join(get_args(OutboxState))}")
    shop = uuid.UUID(shop_id) if shop_id else None

    async def work(session: AsyncSession, _box: SecretBox) -> tuple[list[str], int]:
        rows, total = await list_messages(
            session,
            state=state,  # type: ignore[arg-type]  # checked against OutboxState above
            shop_id=shop,
            limit=limit,
        )
        lines = [
            OutboxMessageOut.model_validate(r, from_attributes=True).model_dump_json(
                exclude={"payload"}
            )
            for r in rows
        ]
        return lines, total

    lines, total = _in_session(_settings_with_database(), work)
    for line in lines:
        typer.echo(line)
    typer.echo(f"{len(lines)} of {total}", err=True)


@outbox_cli.command("retry")
def outbox_retry(message_ids: list[int]) -> None:
    """Re-queue dead or failing messages now (the same rules as POST /api/v1/outbox/{id}/retry)."""
    from app.errors import BridgeError
    from app.outbox.service import retry_message

    failed = 0
    settings = _settings_with_database()
    for message_id in message_ids:

        async def work(session: AsyncSession, _box: SecretBox, mid: int = message_id) -> str:
            message = await retry_message(session, mid)
            return json.dumps({"id": message.id, "state": message.state})

        try:
            typer.echo(_in_session(settings, work))
        except BridgeError as exc:
            failed += 1
            typer.echo(f"{message_id}: {exc.detail}", err=True)
    if failed:
        raise typer.Exit(1)


@secrets_cli.command("rotate")
def secrets_rotate() -> None:
    """Re-encrypt every stored secret under the first SECRET_KEY (put the new key first, run
    this, then drop the old key)."""
    from app.shops.service import reencrypt_secrets

    count = _in_session(_settings_with_database(), reencrypt_secrets)
    typer.echo(f"re-encrypted {count} secrets under the first key")


def _in_session(settings: Settings, work: Callable[[AsyncSession, SecretBox], Awaitable[T]]) -> T:
    """Runs `work` in one transaction (committed when it returns) with the secret box."""
    if settings.secret_key is None:
        raise typer.BadParameter("SECRET_KEY is not set")
    box = SecretBox.from_setting(settings.secret_key.get_secret_value())

    async def run() -> T:
        engine = create_engine(settings.database_url or "")
        try:
            async with create_session_factory(engine)() as session, session.begin():
                return await work(session, box)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _settings_with_database() -> Settings:
    settings = get_settings()
    url = resolve_database_url(settings.database_url, settings.var_dir)
    return settings.model_copy(update={"database_url": url})


def main() -> None:
    cli()
