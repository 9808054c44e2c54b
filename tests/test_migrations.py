"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI

from app.db import Base


async def test_the_migrated_schema_is_what_the_models_say(app: FastAPI) -> None:
    # `app` imports every feature's models; its database is migrated to head.
    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with app.state.runtime.engine.connect() as conn:
        diff = await conn.run_sync(differences)
    assert diff == []
