"""The one command-line entry point: python -m app <command>."""

from __future__ import annotations

import os
from pathlib import Path

import typer
import uvicorn

from app.config import Settings, get_settings
from app.crypto import SecretBox, new_fernet_key
from app.devdb import resolve_database_url
from app.migrate import upgrade_to_head

cli = typer.Typer(no_args_is_help=True, help="Ozon Rocket ⇄ 1C-Bitrix bridge")


@cli.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API (and, unless RUN_WORKERS=false, the background work)."""
    from app.main import create_app

    settings = get_settings()
    url = resolve_database_url(settings.database_url, settings.var_dir)
    settings = settings.model_copy(update={"database_url": url})
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


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
    from app.demo import curl_example, ensure_demo_shop
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
    demo = ensure_demo_shop(url, box, var / "demo_shop.json")
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
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


def main() -> None:
    cli()
