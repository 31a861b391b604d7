"""session rules: several days a week and monthly rules

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 11:00:00.000000

A slot gains the weekdays of a rule with several ("Mondays and Thursdays") and the ordinal
of a monthly one ("the first Monday of each month"). Existing slots are one day, weekly or
every few weeks, as before: no days and no ordinal say exactly that.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_slots") as batch:
        batch.add_column(sa.Column("days", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("monthly_ordinal", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session_slots") as batch:
        batch.drop_column("monthly_ordinal")
        batch.drop_column("days")
