"""proposals by the mentee's own workspace: a mentee's proposals are read by the workspace
they live in (``mentee_team_id``), which in a shared program is not the proposal's

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 14:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_match_proposals_mentee_team_mentee", "match_proposals", ["mentee_team_id", "mentee_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_match_proposals_mentee_team_mentee", table_name="match_proposals")
