"""quiet ladder: each pair's rung and restart, each program's rungs

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quiet_rung", sa.String(length=20), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("quiet_since", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quiet_ladder_days", sa.JSON(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    # Not in batch mode: on SQLite that copies the table, and dropping the old partnerships
    # would cascade to every row that refers to them (milestones, checks). SQLite drops a
    # plain column in place since 3.35.
    op.drop_column("programs", "quiet_ladder_days")
    op.drop_column("partnerships", "quiet_since")
    op.drop_column("partnerships", "quiet_rung")
