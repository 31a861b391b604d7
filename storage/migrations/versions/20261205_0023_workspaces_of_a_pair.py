"""workspaces of a pair: each person's own workspace on proposals and partnerships, and the
host of a shared program on mentor profiles and requests

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 13:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_PAIR_TABLES = ("match_proposals", "partnerships")
_PROGRAM_TABLES = ("mentor_profiles", "mentor_requests")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): on SQLite a copied partnerships table would cascade its
    # drop to every row that refers to it. Existing pairs are of one workspace: both people's
    # workspace is the row's own.
    for table in _PAIR_TABLES:
        for column in ("mentee_team_id", "mentor_team_id"):
            op.add_column(
                table, sa.Column(column, sa.String(length=32), server_default="", nullable=False)
            )
            rows = sa.table(table, sa.column("team_id"), sa.column(column))
            op.execute(rows.update().values({column: rows.c.team_id}))
    op.create_index(
        "ix_partnerships_mentee_team_mentee", "partnerships", ["mentee_team_id", "mentee_id"]
    )
    op.create_index(
        "ix_partnerships_mentor_team_mentor", "partnerships", ["mentor_team_id", "mentor_id"]
    )
    op.create_index(
        "ix_match_proposals_mentor_team_mentor",
        "match_proposals",
        ["mentor_team_id", "mentor_id"],
    )
    for table in _PROGRAM_TABLES:
        op.add_column(table, sa.Column("host_team_id", sa.String(length=32), nullable=True))
        op.create_index(f"ix_{table}_host_program", table, ["host_team_id", "program_id"])


def downgrade() -> None:
    for table in _PROGRAM_TABLES:
        op.drop_index(f"ix_{table}_host_program", table_name=table)
        op.drop_column(table, "host_team_id")
    op.drop_index("ix_match_proposals_mentor_team_mentor", table_name="match_proposals")
    op.drop_index("ix_partnerships_mentor_team_mentor", table_name="partnerships")
    op.drop_index("ix_partnerships_mentee_team_mentee", table_name="partnerships")
    for table in _PAIR_TABLES:
        op.drop_column(table, "mentor_team_id")
        op.drop_column(table, "mentee_team_id")
