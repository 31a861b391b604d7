"""Rows of programs and of the texts coordinators rewrote."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ProgramTextRow(Base):
    """A text of the program a coordinator rewrote (onboarding); defaults are in the code."""

    __tablename__ = "program_texts"
    __table_args__ = (Index("uq_program_texts_team_key", "team_id", "key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[datetime | None]


class ProgramRow(Base):
    """A program besides the workspace's default one (whose rules come from settings)."""

    __tablename__ = "programs"
    __table_args__ = (Index("ix_programs_team", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(32), default="")
    term_days: Mapped[int]
    session_minutes: Mapped[int]
    pulse_every_days: Mapped[int]
    focus_areas: Mapped[list[str]]
    workday_start_hour: Mapped[int]
    workday_end_hour: Mapped[int]
    weekends_off: Mapped[bool]
    cross_company_required: Mapped[bool]
    competitors: Mapped[list[str]]
    weak_fit: Mapped[bool] = mapped_column(default=False)
    any_language: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
