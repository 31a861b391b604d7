"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 17:40:41.003907
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("mentor_id", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_proposals")),
    )
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_proposals_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            "ix_match_proposals_team_mentee", ["team_id", "mentee_id"], unique=False
        )
        batch_op.create_index(
            "ix_match_proposals_team_mentor_status",
            ["team_id", "mentor_id", "status"],
            unique=False,
        )

    op.create_table(
        "mentor_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("expertise", sa.JSON(), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("tz_offset", sa.Integer(), nullable=False),
        sa.Column("accepting", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_profiles")),
    )
    with op.batch_alter_table("mentor_profiles", schema=None) as batch_op:
        batch_op.create_index("uq_mentor_profiles_team_user", ["team_id", "user_id"], unique=True)

    op.create_table(
        "mentor_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("focus_areas", sa.JSON(), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=False),
        sa.Column("wants_other_org", sa.Boolean(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("tz_offset", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("matched_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_requests")),
    )
    with op.batch_alter_table("mentor_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentor_requests_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_mentor_requests_team_mentee", ["team_id", "mentee_id"], unique=False
        )

    op.create_table(
        "outgoing_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("due_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("expires_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("lease_until", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_messages")),
    )
    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outgoing_messages_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("uq_outgoing_messages_team_key", ["team_id", "key"], unique=True)

    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentor_id", sa.String(length=32), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("started_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("ended_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
    )
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index("ix_partnerships_team_mentee", ["team_id", "mentee_id"], unique=False)
        batch_op.create_index("ix_partnerships_team_mentor", ["team_id", "mentor_id"], unique=False)

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("received_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )


def downgrade() -> None:
    op.drop_table("processed_events")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_index("ix_partnerships_team_mentor")
        batch_op.drop_index("ix_partnerships_team_mentee")

    op.drop_table("partnerships")
    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.drop_index("uq_outgoing_messages_team_key")
        batch_op.drop_index("ix_outgoing_messages_status_due")

    op.drop_table("outgoing_messages")
    with op.batch_alter_table("mentor_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_mentor_requests_team_mentee")
        batch_op.drop_index(batch_op.f("ix_mentor_requests_status"))

    op.drop_table("mentor_requests")
    with op.batch_alter_table("mentor_profiles", schema=None) as batch_op:
        batch_op.drop_index("uq_mentor_profiles_team_user")

    op.drop_table("mentor_profiles")
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_match_proposals_team_mentor_status")
        batch_op.drop_index("ix_match_proposals_team_mentee")
        batch_op.drop_index(batch_op.f("ix_match_proposals_request_id"))

    op.drop_table("match_proposals")
