"""outbox: when an operator last re-queued a message

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A message's age (OUTBOX_MAX_AGE_HOURS) counts from here once re-queued, so a message that
    # died of age does not die again at its first failure after the operator's retry.
    op.add_column("outbox", sa.Column("requeued_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "requeued_at")
