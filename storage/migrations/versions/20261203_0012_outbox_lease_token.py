"""outbox lease token

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:00:00.000000

A claim's token, new per claim, that renewing and settling match: a worker whose lease ran out
can no longer change a row another worker has claimed since. Existing rows get none; a row
still "sending" from before is claimed again once its lease runs out, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_token", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.drop_column("lease_token")
