"""Rows of programs, of the texts coordinators rewrote, and of programs shared across
workspaces (join codes and memberships; see ``bot.programs.sharing``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
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
    quiet_ladder_days: Mapped[list[int]] = mapped_column(JSON, server_default="[]")
    weak_fit: Mapped[bool] = mapped_column(default=False)
    any_language: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]


class ProgramJoinCodeRow(Base):
    """A one-time code to join a program of the host workspace (``team_id``): its hash only."""

    __tablename__ = "program_join_codes"
    __table_args__ = (
        Index("uq_program_join_codes_hash", "code_hash", unique=True),
        Index("ix_program_join_codes_team_program", "team_id", "program_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by_team_id: Mapped[str | None] = mapped_column(String(32))
    used_by: Mapped[str | None] = mapped_column(String(32))
    used_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(32))
    revoked_at: Mapped[datetime | None]


class ProgramMembershipRow(Base):
    """A member workspace (``team_id``) in a program of another, the host."""

    __tablename__ = "program_memberships"
    __table_args__ = (
        Index("uq_program_memberships_program_team", "program_id", "team_id", unique=True),
        Index("ix_program_memberships_host", "host_team_id", "program_id"),
        Index("ix_program_memberships_team", "team_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    host_team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    join_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_join_codes.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16))
    accepted_by: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[datetime]
    removed_by: Mapped[str | None] = mapped_column(String(32))
    removed_at: Mapped[datetime | None]
