"""pair channels: a partnership across workspaces meets in a Slack Connect channel, or not

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table only: existing pairs are of one workspace and have no channel to set up.
    op.create_table(
        "pair_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("program_team_id", sa.String(length=32), nullable=False),
        sa.Column("host_user_id", sa.String(length=32), nullable=False),
        sa.Column("partner_team_id", sa.String(length=32), nullable=False),
        sa.Column("partner_user_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("host_name", sa.String(length=200), nullable=False),
        sa.Column("partner_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("host_added", sa.Boolean(), nullable=False),
        sa.Column("invite_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=True),
        sa.Column("updated_at", storage.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_pair_channels_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_channels")),
    )
    op.create_index(
        "uq_pair_channels_partnership", "pair_channels", ["partnership_id"], unique=True
    )
    op.create_index("ix_pair_channels_team_channel", "pair_channels", ["team_id", "channel_id"])
    op.create_index("ix_pair_channels_invite", "pair_channels", ["invite_id"])


def downgrade() -> None:
    op.drop_index("ix_pair_channels_invite", table_name="pair_channels")
    op.drop_index("ix_pair_channels_team_channel", table_name="pair_channels")
    op.drop_index("uq_pair_channels_partnership", table_name="pair_channels")
    op.drop_table("pair_channels")
