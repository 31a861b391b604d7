"""coordinator group members

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordinator_group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("seen_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_group_members")),
    )
    with op.batch_alter_table("coordinator_group_members", schema=None) as batch_op:
        batch_op.create_index(
            "uq_coordinator_group_members_team_group_user",
            ["team_id", "group_id", "user_id"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("coordinator_group_members", schema=None) as batch_op:
        batch_op.drop_index("uq_coordinator_group_members_team_group_user")

    op.drop_table("coordinator_group_members")
