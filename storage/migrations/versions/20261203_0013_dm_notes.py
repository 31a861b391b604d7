"""dm notes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dm_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=True),
        sa.Column("prompt", sa.String(length=40), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("text", storage.models.PrivateText(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_dm_notes_partnership_id_partnerships"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dm_notes")),
    )
    with op.batch_alter_table("dm_notes", schema=None) as batch_op:
        batch_op.create_index("ix_dm_notes_team_author", ["team_id", "author_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dm_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_dm_notes_team_author")

    op.drop_table("dm_notes")
