"""matching versions

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "matching_versions",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentors", sa.BigInteger(), nullable=False),
        sa.Column("loads", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_matching_versions")),
    )


def downgrade() -> None:
    op.drop_table("matching_versions")
