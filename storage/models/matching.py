"""Rows of matching: mentor profiles, requests, proposals, partnerships, cohort plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, PlainJSON, PrivateText


class MentorProfileRow(Base):
    __tablename__ = "mentor_profiles"
    __table_args__ = (
        Index("uq_mentor_profiles_team_user", "team_id", "user_id", unique=True),
        Index("ix_mentor_profiles_host_program", "host_team_id", "program_id"),
        Index("ix_mentor_profiles_team_changed", "team_id", "changed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    expertise: Mapped[list[str]]
    bio: Mapped[str] = mapped_column(PrivateText, default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int]
    languages: Mapped[list[str]]
    tz: Mapped[str] = mapped_column(String(64))
    tz_offset: Mapped[int]
    accepting: Mapped[bool]
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    program_id: Mapped[int | None]
    requests_paused_until: Mapped[date | None]
    host_team_id: Mapped[str | None] = mapped_column(String(32))
    # the workspace's ``matching_versions.mentors`` as the commit that last wrote the row
    # moved it (``storage.matching.track_pool_changes``): what an index reads past
    changed: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class MentorRequestRow(Base):
    __tablename__ = "mentor_requests"
    __table_args__ = (
        Index("ix_mentor_requests_team_mentee", "team_id", "mentee_id"),
        Index("ix_mentor_requests_host_program", "host_team_id", "program_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    mentee_id: Mapped[str] = mapped_column(String(32))
    goals: Mapped[str] = mapped_column(PrivateText)
    focus_areas: Mapped[list[str]]
    organization: Mapped[str] = mapped_column(String(200), default="")
    wants_other_org: Mapped[bool]
    tz: Mapped[str] = mapped_column(String(64))
    tz_offset: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime | None]
    matched_at: Mapped[datetime | None]
    program_id: Mapped[int | None]
    languages: Mapped[list[str]] = mapped_column(default=list)
    host_team_id: Mapped[str | None] = mapped_column(String(32))


class MatchProposalRow(Base):
    __tablename__ = "match_proposals"
    __table_args__ = (
        Index("ix_match_proposals_team_mentee", "team_id", "mentee_id"),
        Index("ix_match_proposals_team_mentor_status", "team_id", "mentor_id", "status"),
        Index("ix_match_proposals_mentor_team_mentor", "mentor_team_id", "mentor_id"),
        Index("ix_match_proposals_mentee_team_mentee", "mentee_team_id", "mentee_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int] = mapped_column(index=True)
    mentee_id: Mapped[str] = mapped_column(String(32))
    mentor_id: Mapped[str] = mapped_column(String(32))
    score: Mapped[int]
    reason: Mapped[str] = mapped_column(PrivateText)  # may quote the mentee's goals
    status: Mapped[str] = mapped_column(String(20))
    decline_reason: Mapped[str] = mapped_column(PrivateText, default="")
    decline_choice: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    mentee_team_id: Mapped[str] = mapped_column(String(32), server_default="")
    mentor_team_id: Mapped[str] = mapped_column(String(32), server_default="")


class PartnershipRow(Base):
    __tablename__ = "partnerships"
    __table_args__ = (
        Index("ix_partnerships_team_mentor", "team_id", "mentor_id"),
        Index("ix_partnerships_team_mentee", "team_id", "mentee_id"),
        Index("ix_partnerships_mentee_team_mentee", "mentee_team_id", "mentee_id"),
        Index("ix_partnerships_mentor_team_mentor", "mentor_team_id", "mentor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    mentor_id: Mapped[str] = mapped_column(String(32))
    mentee_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int | None]
    started_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(Text, default="")
    paused_until: Mapped[date | None]
    program_id: Mapped[int | None]
    quiet_rung: Mapped[str] = mapped_column(String(20), server_default="")
    quiet_since: Mapped[datetime | None]
    mentee_team_id: Mapped[str] = mapped_column(String(32), server_default="")
    mentor_team_id: Mapped[str] = mapped_column(String(32), server_default="")


class CohortPlanRow(Base):
    """A cohort assignment being worked out or approved; its pairs as JSON, always read and
    written whole. At most one per workspace is ``planning`` (a partial unique index: two
    `/mentor match` at once start one plan)."""

    __tablename__ = "cohort_plans"
    __table_args__ = (
        Index("ix_cohort_plans_team", "team_id"),
        Index(
            "uq_cohort_plans_planning",
            "team_id",
            unique=True,
            sqlite_where=text("status = 'planning'"),
            postgresql_where=text("status = 'planning'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    pairs: Mapped[list[dict[str, Any]]] = mapped_column(PlainJSON)  # thousands: orjson writes
    unmatched: Mapped[list[str]]
    total_fit: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="ready", server_default="ready")
    include_choosing: Mapped[bool] = mapped_column(default=False, server_default=false())


class MatchingVersionRow(Base):
    """Two counters per workspace, moved on by every commit that changed mentor profiles
    (``mentors``) or proposals and partnerships (``loads``): what ``bot.matching.index``
    compares to know its copy is current (``storage.matching.track_pool_changes``)."""

    __tablename__ = "matching_versions"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    mentors: Mapped[int] = mapped_column(BigInteger, default=0)
    loads: Mapped[int] = mapped_column(BigInteger, default=0)
    # moved where profile rows went without a change number (deleted, changed in bulk) or a
    # shared program's members changed: an index reads the whole pool again
    structure: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
