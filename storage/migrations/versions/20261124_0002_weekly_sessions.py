"""weekly sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 17:50:22.260557
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("session_reminders", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_preferences")),
    )
    with op.batch_alter_table("member_preferences", schema=None) as batch_op:
        batch_op.create_index(
            "uq_member_preferences_team_user", ["team_id", "user_id"], unique=True
        )

    op.create_table(
        "session_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_start", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("answered_by", sa.String(length=32), nullable=False),
        sa.Column("answered_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_session_logs_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_logs")),
    )
    with op.batch_alter_table("session_logs", schema=None) as batch_op:
        batch_op.create_index(
            "uq_session_logs_team_partnership_start",
            ["team_id", "partnership_id", "occurrence_start"],
            unique=True,
        )

    op.create_table(
        "session_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_session_slots_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_slots")),
    )
    with op.batch_alter_table("session_slots", schema=None) as batch_op:
        batch_op.create_index(
            "uq_session_slots_team_partnership", ["team_id", "partnership_id"], unique=True
        )

    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coalesce_key", sa.String(length=255), nullable=True))
        # existing rows need a value: a server default, so this runs on a live database
        batch_op.add_column(
            sa.Column("sent_channel", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("sent_ts", sa.String(length=32), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.drop_column("sent_ts")
        batch_op.drop_column("sent_channel")
        batch_op.drop_column("coalesce_key")

    with op.batch_alter_table("session_slots", schema=None) as batch_op:
        batch_op.drop_index("uq_session_slots_team_partnership")

    op.drop_table("session_slots")
    with op.batch_alter_table("session_logs", schema=None) as batch_op:
        batch_op.drop_index("uq_session_logs_team_partnership_start")

    op.drop_table("session_logs")
    with op.batch_alter_table("member_preferences", schema=None) as batch_op:
        batch_op.drop_index("uq_member_preferences_team_user")

    op.drop_table("member_preferences")
