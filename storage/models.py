"""Tables. Every row carries the Slack workspace (``team_id``); timestamps are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python on both databases (SQLite has no time zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: attach a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class MentorProfileRow(Base):
    __tablename__ = "mentor_profiles"
    __table_args__ = (Index("uq_mentor_profiles_team_user", "team_id", "user_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    expertise: Mapped[list[str]]
    bio: Mapped[str] = mapped_column(Text, default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int]
    languages: Mapped[list[str]]
    tz: Mapped[str] = mapped_column(String(64))
    tz_offset: Mapped[int]
    accepting: Mapped[bool]
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    program_id: Mapped[int | None]


class MentorRequestRow(Base):
    __tablename__ = "mentor_requests"
    __table_args__ = (Index("ix_mentor_requests_team_mentee", "team_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    mentee_id: Mapped[str] = mapped_column(String(32))
    goals: Mapped[str] = mapped_column(Text)
    focus_areas: Mapped[list[str]]
    organization: Mapped[str] = mapped_column(String(200), default="")
    wants_other_org: Mapped[bool]
    tz: Mapped[str] = mapped_column(String(64))
    tz_offset: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime | None]
    matched_at: Mapped[datetime | None]
    program_id: Mapped[int | None]


class MatchProposalRow(Base):
    __tablename__ = "match_proposals"
    __table_args__ = (
        Index("ix_match_proposals_team_mentee", "team_id", "mentee_id"),
        Index("ix_match_proposals_team_mentor_status", "team_id", "mentor_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int] = mapped_column(index=True)
    mentee_id: Mapped[str] = mapped_column(String(32))
    mentor_id: Mapped[str] = mapped_column(String(32))
    score: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]


class PartnershipRow(Base):
    __tablename__ = "partnerships"
    __table_args__ = (
        Index("ix_partnerships_team_mentor", "team_id", "mentor_id"),
        Index("ix_partnerships_team_mentee", "team_id", "mentee_id"),
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
    payload: Mapped[dict[str, Any]]
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    coalesce_key: Mapped[str | None] = mapped_column(String(255))
    sent_channel: Mapped[str] = mapped_column(String(32), default="", server_default="")
    sent_ts: Mapped[str] = mapped_column(String(32), default="", server_default="")


class ProcessedEventRow(Base):
    """Slack retries events; the first delivery of an event ID wins."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]


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


class CohortPlanRow(Base):
    """A cohort assignment being approved; its pairs as JSON, always read and written whole."""

    __tablename__ = "cohort_plans"
    __table_args__ = (Index("ix_cohort_plans_team", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    pairs: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    unmatched: Mapped[list[str]]
    total_fit: Mapped[int]


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


class AnnouncementRow(Base):
    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_team_status", "team_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(20))
    send_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    replaces: Mapped[int | None]
    created_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(default=0)
    delivered: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    program: Mapped[str] = mapped_column(String(16), default="", server_default="")


class GoalRow(Base):
    """One of a partnership's 1-5 goals for the year."""

    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_team_partnership", "team_id", "partnership_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
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
    topics: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
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
    title: Mapped[str] = mapped_column(Text)
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


class ProgressCheckRow(Base):
    """One person's answer to one prompt; the text is theirs (shared only if they said so)."""

    __tablename__ = "progress_checks"
    __table_args__ = (
        Index(
            "uq_progress_checks_team_partnership_user_kind_round",
            "team_id",
            "partnership_id",
            "user_id",
            "kind",
            "round",
            unique=True,
        ),
        Index("ix_progress_checks_team_kind", "team_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))
    round: Mapped[int]
    answered_at: Mapped[datetime]
    score: Mapped[int | None]
    answers: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(Text, default="")
    share: Mapped[bool] = mapped_column(default=False)


class RiskFlagRow(Base):
    """A pair flagged at risk for coordinators, once per signal and occasion."""

    __tablename__ = "risk_flags"
    __table_args__ = (
        Index(
            "uq_risk_flags_team_partnership_signal_occasion",
            "team_id",
            "partnership_id",
            "signal",
            "occasion",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    signal: Mapped[str] = mapped_column(String(32))
    occasion: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime]


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
    archived: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
