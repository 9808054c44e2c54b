"""Database engine, sessions and the declarative base."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy import DateTime, MetaData, event, func
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every datetime column is timestamptz: time is aware, UTC inside.
    type_annotation_map = {datetime: DateTime(timezone=True)}  # noqa: RUF012 (SQLAlchemy's API)


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


def _json_default(value: object) -> str:
    # Money in JSONB stays exact: a Decimal is stored as its text, never as a float.
    if isinstance(value, Decimal | uuid.UUID | datetime):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_dumps(value: object) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def create_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    engine = create_async_engine(
        database_url,
        json_serializer=json_dumps,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No ping round trip before each checkout (it cost ~0.3 ms of CPU on every request):
        # a connection the server closed is noticed locally (below); one that dies while in
        # use fails its request with a 503 (errors.py) and the pool replaces the older ones.
        pool_pre_ping=False,
        pool_recycle=1800,
        # Timestamps are compared across processes: keep the session in UTC.
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "ozon-bridge"}},
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    event.listen(engine.sync_engine, "handle_error", _count_protocol_confusion_as_disconnect)
    return engine


def _count_protocol_confusion_as_disconnect(context: ExceptionContext) -> None:
    # SQLAlchemy does not yet see asyncpg's InternalClientError as a disconnect
    # (sqlalchemy/sqlalchemy#13241) and would put the broken connection back into the pool.
    if isinstance(context.original_exception.__cause__, asyncpg.InternalClientError):
        context.is_disconnect = True


def _refuse_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    # asyncpg knows without I/O when the server has closed the socket (a restart, an idle
    # timeout); DisconnectionError makes the pool drop it and check out another.
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("connection closed by the server")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Commit when the block succeeds, roll back when it raises."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# What a dead server connection raises in asyncpg, besides the socket's own OSError.
# InternalClientError ("cannot switch to state ..."): a query sent just as the server closed
# the connection (MagicStack/asyncpg#1069); the connection is unusable from then on.
CONNECTION_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
)


@asynccontextmanager
async def asyncpg_connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    """A pooled connection's asyncpg side, for hand-written SQL on a hot path.

    It carries SQLAlchemy's codecs (a jsonb parameter is JSON text; a jsonb column reads back
    as Python objects); the caller opens its own `transaction()`.

    A lost connection is handled as SQLAlchemy handles one it detects itself: every pooled
    connection as old as this one is replaced (after a server restart they are all dead), so
    one request fails with a 503 and the next gets a fresh connection.
    """
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        try:
            yield raw.driver_connection
        except CONNECTION_LOST as exc:
            # What Connection._handle_dbapi_exception does on a disconnect it detects: this
            # connection and every older one in the pool are closed and replaced.
            engine.sync_engine.pool._invalidate(raw, exc)
            raise
