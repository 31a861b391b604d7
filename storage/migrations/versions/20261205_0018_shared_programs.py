"""shared programs: join codes and member workspaces

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 11:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_join_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_by_team_id", sa.String(length=32), nullable=True),
        sa.Column("used_by", sa.String(length=32), nullable=True),
        sa.Column("used_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=32), nullable=True),
        sa.Column("revoked_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_program_join_codes_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_join_codes")),
    )
    with op.batch_alter_table("program_join_codes", schema=None) as batch_op:
        batch_op.create_index("uq_program_join_codes_hash", ["code_hash"], unique=True)
        batch_op.create_index(
            "ix_program_join_codes_team_program", ["team_id", "program_id"], unique=False
        )

    op.create_table(
        "program_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("host_team_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("join_code_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("accepted_by", sa.String(length=32), nullable=False),
        sa.Column("accepted_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=32), nullable=True),
        sa.Column("removed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_program_memberships_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["join_code_id"],
            ["program_join_codes.id"],
            name=op.f("fk_program_memberships_join_code_id_program_join_codes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_memberships")),
    )
    with op.batch_alter_table("program_memberships", schema=None) as batch_op:
        batch_op.create_index(
            "uq_program_memberships_program_team", ["program_id", "team_id"], unique=True
        )
        batch_op.create_index(
            "ix_program_memberships_host", ["host_team_id", "program_id"], unique=False
        )
        batch_op.create_index("ix_program_memberships_team", ["team_id"], unique=False)


def downgrade() -> None:
    op.drop_table("program_memberships")
    op.drop_table("program_join_codes")
