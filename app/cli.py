"""The one command-line entry point: python -m app <command>."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from pathlib import Path

import typer
import uvicorn
from starlette.types import ASGIApp

from app.bitrix.status_setup import SetupReport
from app.config import Settings, get_settings
from app.crypto import SecretBox, new_fernet_key
from app.devdb import resolve_database_url
from app.logging import configure_logging
from app.migrate import upgrade_to_head
from app.pickup_points.commands import pickup_points_cli

cli = typer.Typer(no_args_is_help=True, help="Ozon Rocket ⇄ 1C-Bitrix bridge")


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


def _settings_with_database() -> Settings:
    settings = get_settings()
    url = resolve_database_url(settings.database_url, settings.var_dir)
    return settings.model_copy(update={"database_url": url})


def main() -> None:
    cli()
