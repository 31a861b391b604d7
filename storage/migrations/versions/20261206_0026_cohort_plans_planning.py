"""cohort plans saved when asked: a plan is ``planning`` until its job has worked it out, and a
workspace has at most one being planned (a second `/mentor match` is told, not planned twice)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 'ready': every plan saved before this one was saved worked out.
    with op.batch_alter_table("cohort_plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="ready", nullable=False)
        )
        batch_op.add_column(
            sa.Column("include_choosing", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_index(
        "uq_cohort_plans_planning",
        "cohort_plans",
        ["team_id"],
        unique=True,
        sqlite_where=sa.text("status = 'planning'"),
        postgresql_where=sa.text("status = 'planning'"),
    )


def downgrade() -> None:
    op.drop_index("uq_cohort_plans_planning", table_name="cohort_plans")
    with op.batch_alter_table("cohort_plans", schema=None) as batch_op:
        batch_op.drop_column("include_choosing")
        batch_op.drop_column("status")
