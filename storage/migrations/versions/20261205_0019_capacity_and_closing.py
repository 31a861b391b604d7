"""capacity and closing

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 11:00:00.000000

A mentor's pause of new requests until a day they chose ("No time right now"), and the
one-click category of a decline, which the coordinators' weekly digest counts (the written
reason stays private text). Exit surveys are progress checks of a new kind: no column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentor_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requests_paused_until", sa.Date(), nullable=True))
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decline_choice", sa.String(length=20), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.drop_column("decline_choice")
    with op.batch_alter_table("mentor_profiles", schema=None) as batch_op:
        batch_op.drop_column("requests_paused_until")
