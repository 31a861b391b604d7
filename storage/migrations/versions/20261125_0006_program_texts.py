"""program texts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 08:55:21.845318
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_texts")),
    )
    with op.batch_alter_table("program_texts", schema=None) as batch_op:
        batch_op.create_index("uq_program_texts_team_key", ["team_id", "key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("program_texts", schema=None) as batch_op:
        batch_op.drop_index("uq_program_texts_team_key")

    op.drop_table("program_texts")
