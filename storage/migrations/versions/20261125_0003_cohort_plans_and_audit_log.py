"""cohort plans and audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 08:08:37.224042
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_team_at", ["team_id", "at"], unique=False)

    op.create_table(
        "cohort_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("pairs", sa.JSON(), nullable=False),
        sa.Column("unmatched", sa.JSON(), nullable=False),
        sa.Column("total_fit", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_plans")),
    )
    with op.batch_alter_table("cohort_plans", schema=None) as batch_op:
        batch_op.create_index("ix_cohort_plans_team", ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cohort_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_cohort_plans_team")

    op.drop_table("cohort_plans")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_team_at")

    op.drop_table("audit_events")
