"""mentor change numbers: each profile row carries the change number that last wrote it

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 10:00:00.000000

``mentor_profiles.changed`` is the workspace's ``matching_versions.mentors`` counter as the
commit that last wrote the row moved it, so a process's mentor index reads only the rows
newer than its copy; ``matching_versions.structure`` moves where rows went without a trace
(a profile deleted, a bulk change, a membership joining or leaving), and the index then
reads the whole pool. Existing rows are 0: older than any copy an index holds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentor_profiles") as batch:
        batch.add_column(
            sa.Column("changed", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
        )
    op.create_index("ix_mentor_profiles_team_changed", "mentor_profiles", ["team_id", "changed"])
    with op.batch_alter_table("matching_versions") as batch:
        batch.add_column(
            sa.Column("structure", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("matching_versions") as batch:
        batch.drop_column("structure")
    op.drop_index("ix_mentor_profiles_team_changed", table_name="mentor_profiles")
    with op.batch_alter_table("mentor_profiles") as batch:
        batch.drop_column("changed")
