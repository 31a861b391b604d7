"""fit floor and languages: the languages a mentee can meet in, the programs' fit rules

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # []: the requests before this one named no language (the program's default applies).
    with op.batch_alter_table("mentor_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("languages", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
    # False: every program keeps today's rule for new suggestions (the floor applies).
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weak_fit", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("any_language", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("any_language")
        batch_op.drop_column("weak_fit")
    with op.batch_alter_table("mentor_requests", schema=None) as batch_op:
        batch_op.drop_column("languages")
