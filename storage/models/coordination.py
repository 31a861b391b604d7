"""Rows of the coordinators' audit log and user-group members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class AuditEventRow(Base):
    """Every coordinator action: who, when, what (identifiers and counts only)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_team_at", "team_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any]]


class CoordinatorGroupMemberRow(Base):
    """A member of the coordinators' Slack user group, as last read from Slack or its events."""

    __tablename__ = "coordinator_group_members"
    __table_args__ = (
        Index(
            "uq_coordinator_group_members_team_group_user",
            "team_id",
            "group_id",
            "user_id",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    group_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    seen_at: Mapped[datetime]
