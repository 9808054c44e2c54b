"""`python -m app pickup-points sync`: the same sync as the schedule, with a progress bar."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import func, select

from app.config import get_settings
from app.devdb import resolve_database_url
from app.errors import BridgeError
from app.logging import configure_logging
from app.pickup_points.models import PickupPoint
from app.pickup_points.schemas import SyncReport
from app.pickup_points.sync import SyncInProgress, run_sync

pickup_points_cli = typer.Typer(no_args_is_help=True, help="The Ozon pickup-point network")


@pickup_points_cli.command("sync")
def sync(
    force: bool = typer.Option(
        False, help="Apply even if more than PICKUP_SYNC_MAX_DEACTIVATE_SHARE would go inactive"
    ),
) -> None:
    """Pull the whole network from Ozon now (all pages, then one transaction)."""
    from app.main import build_runtime

    settings = get_settings()
    url = resolve_database_url(settings.database_url, settings.var_dir)
    settings = settings.model_copy(update={"database_url": url})
    # Log lines would tear the progress bar: warnings and errors only.
    configure_logging("WARNING", json=settings.log_json)
    console = Console(stderr=True)

    async def run() -> SyncReport | None:
        runtime = build_runtime(settings)
        try:
            async with runtime.session_factory() as session:
                known = await session.scalar(select(func.count()).select_from(PickupPoint))
            # The last sync's size is the best guess of this one's; none: an open-ended bar.
            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            ) as progress:
                task = progress.add_task("pickup points", total=known or None)

                def on_page(pages: int, points: int) -> None:
                    total = progress.tasks[0].total
                    if total is not None and points > total:
                        progress.update(task, total=points)
                    progress.update(task, completed=points, description=f"page {pages}")

                report = await run_sync(runtime, "cli", force=force, on_page=on_page)
                if report is not None:
                    progress.update(task, total=report.total, completed=report.total)
                return report
        finally:
            await runtime.aclose()

    try:
        report = asyncio.run(run())
    except SyncInProgress as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(2) from exc
    except BridgeError as exc:
        typer.echo(f"sync failed: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    assert report is not None
    typer.echo(
        f"added {report.added}, updated {report.updated}, deactivated {report.deactivated}, "
        f"total {report.total} ({report.active} active) in {report.pages} pages, "
        f"{report.seconds:.1f} s"
    )
