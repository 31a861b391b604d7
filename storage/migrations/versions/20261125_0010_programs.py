"""programs: several programs in one workspace

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-25 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models


revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

MEMBERS = ("mentor_profiles", "mentor_requests", "partnerships")


def upgrade() -> None:
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("term_days", sa.Integer(), nullable=False),
        sa.Column("session_minutes", sa.Integer(), nullable=False),
        sa.Column("pulse_every_days", sa.Integer(), nullable=False),
        sa.Column("focus_areas", sa.JSON(), nullable=False),
        sa.Column("workday_start_hour", sa.Integer(), nullable=False),
        sa.Column("workday_end_hour", sa.Integer(), nullable=False),
        sa.Column("weekends_off", sa.Boolean(), nullable=False),
        sa.Column("cross_company_required", sa.Boolean(), nullable=False),
        sa.Column("competitors", sa.JSON(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
    )
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.create_index("ix_programs_team", ["team_id"], unique=False)
    # Null: the workspace's default program, which every row before this one belongs to.
    for table in MEMBERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("program_id", sa.Integer(), nullable=True))
    # "": to every program, as every announcement before this one was.
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("program", sa.String(length=16), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_column("program")
    for table in MEMBERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("program_id")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_index("ix_programs_team")
    op.drop_table("programs")
