"""Rows of the weekly sessions: the slot, what happened at each, reminder settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class SessionSlotRow(Base):
    """A partnership's weekly session, as its author said it (wall clock + time zone)."""

    __tablename__ = "session_slots"
    __table_args__ = (
        Index("uq_session_slots_team_partnership", "team_id", "partnership_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    tz: Mapped[str] = mapped_column(String(64))
    local_time: Mapped[str] = mapped_column(String(5))
    weekday: Mapped[int]
    every_weeks: Mapped[int]
    first_date: Mapped[date]
    duration_minutes: Mapped[int]
    set_by: Mapped[str] = mapped_column(String(32))
    version: Mapped[int]
    days: Mapped[list[int] | None] = mapped_column(JSON)  # None: ``weekday`` alone
    monthly_ordinal: Mapped[int | None]
    paused_until: Mapped[date | None]
    skipped: Mapped[list[str]]
    moved: Mapped[dict[str, Any]]
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class SessionLogRow(Base):
    __tablename__ = "session_logs"
    __table_args__ = (
        Index(
            "uq_session_logs_team_partnership_start",
            "team_id",
            "partnership_id",
            "occurrence_start",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    occurrence_start: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))
    answered_by: Mapped[str] = mapped_column(String(32))
    answered_at: Mapped[datetime]


class MemberPreferencesRow(Base):
    __tablename__ = "member_preferences"
    __table_args__ = (Index("uq_member_preferences_team_user", "team_id", "user_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    session_reminders: Mapped[bool] = mapped_column(default=True)
    away_until: Mapped[date | None]
