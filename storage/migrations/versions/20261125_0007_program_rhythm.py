"""program rhythm: progress checks, risk flags, partnership pause, declared holidays

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 08:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "progress_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("answered_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("share", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_progress_checks_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_checks")),
    )
    with op.batch_alter_table("progress_checks", schema=None) as batch_op:
        batch_op.create_index(
            "uq_progress_checks_team_partnership_user_kind_round",
            ["team_id", "partnership_id", "user_id", "kind", "round"],
            unique=True,
        )
        batch_op.create_index("ix_progress_checks_team_kind", ["team_id", "kind"], unique=False)

    op.create_table(
        "risk_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("signal", sa.String(length=32), nullable=False),
        sa.Column("occasion", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("raised_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_risk_flags_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_flags")),
    )
    with op.batch_alter_table("risk_flags", schema=None) as batch_op:
        batch_op.create_index(
            "uq_risk_flags_team_partnership_signal_occasion",
            ["team_id", "partnership_id", "signal", "occasion"],
            unique=True,
        )

    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_until", sa.Date(), nullable=True))
    with op.batch_alter_table("member_preferences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("away_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member_preferences", schema=None) as batch_op:
        batch_op.drop_column("away_until")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_column("paused_until")
    with op.batch_alter_table("risk_flags", schema=None) as batch_op:
        batch_op.drop_index("uq_risk_flags_team_partnership_signal_occasion")
    op.drop_table("risk_flags")
    with op.batch_alter_table("progress_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_checks_team_kind")
        batch_op.drop_index("uq_progress_checks_team_partnership_user_kind_round")
    op.drop_table("progress_checks")
