"""The program's nouns: mentors, requests, proposals, partnerships and outgoing messages.

Plain dataclasses, so services and their tests need no database. Every one carries the Slack
workspace (``team_id``): the model is multi-workspace from day one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

DEFAULT_FOCUS_AREAS: tuple[str, ...] = (
    "leadership",
    "communication",
    "change management",
    "career growth",
    "navigating culture and politics",
    "technical skills",
    "work-life balance",
)


class RequestStatus(StrEnum):
    MATCHING = "matching"  # suggestions shown, the mentee has not picked yet
    PENDING_MENTOR = "pending_mentor"  # a mentor has been asked and has not answered
    MATCHED = "matched"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class PartnershipStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ENDED = "ended"


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DROPPED = "dropped"


@dataclass(frozen=True)
class CrossCompanyRule:
    """How organizations may meet.

    ``required``: every mentor comes from another organization than the mentee.
    ``competitors``: pairs of organizations that never meet, whatever else is allowed.
    Organizations compare case-insensitively, ignoring surrounding blanks.
    """

    required: bool = False
    competitors: frozenset[frozenset[str]] = frozenset()

    def allows(self, mentee_org: str, mentor_org: str, *, mentee_wants_other: bool) -> bool:
        a, b = normalize_org(mentee_org), normalize_org(mentor_org)
        same = bool(a) and a == b
        if (self.required or mentee_wants_other) and same:
            return False
        return frozenset((a, b)) not in self.competitors


def normalize_org(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class ProgramRules:
    """The program settings the domain needs; built once from settings at start-up."""

    focus_areas: tuple[str, ...] = DEFAULT_FOCUS_AREAS
    term: timedelta = timedelta(days=365)
    cross_company: CrossCompanyRule = CrossCompanyRule()
    suggestions: int = 3
    request_reminder_after: timedelta = timedelta(days=3)
    request_expires_after_reminder: timedelta = timedelta(days=2)
    coordinators: tuple[str, ...] = ()
    max_capacity: int = 5
    session_lengths: tuple[int, ...] = (45, 60)
    default_session_minutes: int = 60
    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=1), timedelta(minutes=15))
    onboarding: bool = True  # the welcome, first-session agenda and monthly topics
    # the program's rhythm (bot/rhythm.py)
    pulse_every: timedelta = timedelta(days=14)
    quiet_nudge_days: tuple[int, int, int] = (14, 21, 28)  # mentee, both, coordinators
    term_notice: timedelta = timedelta(days=14)
    term_extension: timedelta = timedelta(days=90)  # zero: coordinators don't allow extending
    workday_start_hour: int = 9
    workday_end_hour: int = 18
    weekends_off: bool = True
    default_tz: str = "UTC"  # for people whose time zone we don't know (coordinators)
    channel: str = ""  # announcements and shout-outs; empty: none


@dataclass
class MentorProfile:
    team_id: str
    user_id: str
    expertise: list[str]
    bio: str
    organization: str
    capacity: int
    languages: list[str]
    tz: str
    tz_offset: int = 0  # seconds east of UTC, as Slack reports it; used if ``tz`` is unknown
    accepting: bool = True
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    program_id: int | None = None  # None: the workspace's default program


@dataclass
class MentorRequest:
    team_id: str
    mentee_id: str
    goals: str
    focus_areas: list[str]
    organization: str
    wants_other_org: bool
    tz: str
    tz_offset: int = 0
    status: RequestStatus = RequestStatus.MATCHING
    created_at: datetime | None = None
    matched_at: datetime | None = None
    id: int | None = None
    program_id: int | None = None  # None: the workspace's default program


@dataclass
class MatchProposal:
    """One mentor asked to take one request: the unit a mentor accepts or declines."""

    team_id: str
    request_id: int
    mentee_id: str
    mentor_id: str
    score: int
    reason: str
    status: ProposalStatus = ProposalStatus.PENDING
    decline_reason: str = ""
    created_at: datetime | None = None
    answered_at: datetime | None = None
    id: int | None = None


@dataclass
class Partnership:
    team_id: str
    mentor_id: str
    mentee_id: str
    request_id: int | None
    started_at: datetime
    ends_at: datetime
    status: PartnershipStatus = PartnershipStatus.ACTIVE
    ended_at: datetime | None = None
    end_reason: str = ""
    id: int | None = None
    paused_until: date | None = None  # prompts wait while paused; also the resume marker
    program_id: int | None = None  # None: the workspace's default program

    def members(self) -> tuple[str, str]:
        return (self.mentor_id, self.mentee_id)

    def paused_at(self, at: datetime) -> bool:
        """Whether the pair has asked for quiet at ``at`` (``/mentor pause``)."""
        if self.status is not PartnershipStatus.PAUSED:
            return False
        return self.paused_until is None or at.date() < self.paused_until

    @property
    def live(self) -> bool:
        return self.status in (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)


@dataclass
class OutgoingMessage:
    """Something due to happen at ``due_at``: a message to a person, or an internal job.

    ``key`` is unique: adding the same key twice keeps the first, which is what makes every
    service safe to re-run. ``recipient`` is a user ID, a channel ID, or several user IDs joined
    by commas (a group DM of those people with the bot).
    """

    team_id: str
    kind: str
    recipient: str
    key: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None  # past this, sending would be pointless: drop it
    coalesce_key: str | None = None  # several due with one key: only the newest goes out
    status: MessageStatus = MessageStatus.PENDING
    attempts: int = 0
    last_error: str = ""
    sent_at: datetime | None = None
    sent_channel: str = ""  # where Slack put it, so a later answer can update it
    sent_ts: str = ""
    id: int | None = None
    # Not stored: set when a run claims it back from a dispatcher that stopped mid-send (its
    # lease ran out), so Slack may already have it; the dispatcher looks before posting again.
    in_doubt: bool = field(default=False, compare=False, metadata={"stored": False})


@dataclass(frozen=True)
class AuditEvent:
    """Who did what, when: identifiers and counts, never what anybody wrote."""

    team_id: str
    actor_id: str
    action: str
    subject: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class OutboxTally:
    """How a group of outgoing messages (one key prefix) fared so far."""

    by_status: dict[MessageStatus, int]
    failures: dict[str, int]  # Slack's reason -> how many

    @property
    def settled(self) -> bool:
        return not (
            self.by_status.get(MessageStatus.PENDING, 0)
            or self.by_status.get(MessageStatus.SENDING, 0)
        )


def partner_of(partnership: Partnership, user_id: str) -> str:
    """The other member of the partnership, seen from ``user_id``."""
    return partnership.mentee_id if user_id == partnership.mentor_id else partnership.mentor_id
