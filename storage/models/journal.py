"""Rows of goals, reflections, milestones and journal settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, PrivateText


class GoalRow(Base):
    """One of a partnership's 1-5 goals for the year."""

    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_team_partnership", "team_id", "partnership_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(PrivateText)
    position: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(PrivateText, default="")
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]


class ReflectionRow(Base):
    """What one partner took from a session: theirs alone unless they shared it."""

    __tablename__ = "reflections"
    __table_args__ = (
        Index("ix_reflections_team_partnership", "team_id", "partnership_id"),
        Index("ix_reflections_team_author", "team_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(String(32))
    topics: Mapped[str] = mapped_column(PrivateText, default="")
    learned: Mapped[str] = mapped_column(PrivateText, default="")
    next_steps: Mapped[str] = mapped_column(PrivateText, default="")
    visibility: Mapped[str] = mapped_column(String(20))
    session_start: Mapped[datetime | None]
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class MilestoneRow(Base):
    """Celebrated once: ``key`` is unique per partnership."""

    __tablename__ = "milestones"
    __table_args__ = (
        Index(
            "uq_milestones_team_partnership_key", "team_id", "partnership_id", "key", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(PrivateText)
    achieved_at: Mapped[datetime]
    personal: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(32), default="")


class JournalPreferencesRow(Base):
    __tablename__ = "journal_preferences"
    __table_args__ = (Index("uq_journal_preferences_team_user", "team_id", "user_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    shout_outs: Mapped[bool] = mapped_column(default=False)
    last_wording: Mapped[int] = mapped_column(default=-1)
