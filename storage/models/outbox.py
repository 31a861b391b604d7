"""Rows of the outbox and of the events already handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, SealedPayload


class OutgoingMessageRow(Base):
    """The durable schedule: one row per message or job, unique by ``key``."""

    __tablename__ = "outgoing_messages"
    __table_args__ = (
        Index("uq_outgoing_messages_team_key", "team_id", "key", unique=True),
        Index("ix_outgoing_messages_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(255))
    due_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(SealedPayload)
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    # New with every claim: settling and renewing match it, so a worker that lost its lease
    # (it outlived it, another worker claimed the row) can no longer change the row.
    lease_token: Mapped[str | None] = mapped_column(String(64))
    coalesce_key: Mapped[str | None] = mapped_column(String(255))
    sent_channel: Mapped[str] = mapped_column(String(32), default="", server_default="")
    sent_ts: Mapped[str] = mapped_column(String(32), default="", server_default="")


class ProcessedEventRow(Base):
    """Slack retries events; the first delivery of an event ID wins."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]
