"""The program's nouns: mentors, requests, proposals, partnerships and outgoing messages.

Plain dataclasses, so services and their tests need no database. Every one carries the Slack
workspace (``team_id``): the model is multi-workspace from day one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_FOCUS_AREAS: tuple[str, ...] = (
    "leadership",
    "communication",
    "change management",
    "career growth",
    "navigating culture and politics",
    "technical skills",
    "work-life balance",
)


GOALS_REACHED = "goals_reached"
"""The end reason after which the mentee is asked whether they want a new mentor, instead
of being sent suggestions."""


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
    # "No time right now": not suggested before this day (``accepting`` is off until then)
    requests_paused_until: date | None = None
    # The workspace whose program ``program_id`` names, when it is another workspace's program
    # shared with this one (``bot.programs.sharing``); None: a program of the person's own.
    host_team_id: str | None = None

    @property
    def program_team_id(self) -> str:
        """The workspace that owns the program this profile offers mentoring in."""
        return self.host_team_id or self.team_id


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
    languages: list[str] = field(default_factory=list)  # none named: the program's default
    # As on ``MentorProfile``: the host of a shared program the mentee asks in; None: their own.
    host_team_id: str | None = None

    @property
    def program_team_id(self) -> str:
        return self.host_team_id or self.team_id


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
    decline_reason: str = ""  # what the mentor wrote, for the program team only
    decline_choice: str = ""  # the one-click category (``bot.matching.capacity.DeclineChoice``)
    created_at: datetime | None = None
    answered_at: datetime | None = None
    id: int | None = None
    # Each person's own workspace ("" = ``team_id``, the program's): in a program shared across
    # workspaces the mentor is asked, and answers, in their own Slack.
    mentee_team_id: str = ""
    mentor_team_id: str = ""

    def __post_init__(self) -> None:
        self.mentee_team_id = self.mentee_team_id or self.team_id
        self.mentor_team_id = self.mentor_team_id or self.team_id


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
    quiet_rung: str = ""  # a ``QuietRung``: the ladder's rung reached since they last met
    quiet_since: datetime | None = None  # the quiet clock restarted here (they chose to go on)
    # Each person's own workspace. ``team_id`` stays the program's (the host's): the pair's
    # schedule, checks and reports are the program's, while each person is reached, and
    # clicks, in their own Slack. "" = ``team_id`` (a pair of one workspace, every older row).
    mentee_team_id: str = ""
    mentor_team_id: str = ""

    def __post_init__(self) -> None:
        self.mentee_team_id = self.mentee_team_id or self.team_id
        self.mentor_team_id = self.mentor_team_id or self.team_id

    @property
    def across_workspaces(self) -> bool:
        return self.mentee_team_id != self.mentor_team_id

    def team_of(self, user_id: str) -> str:
        """The workspace where ``user_id``, one of the pair, is reached."""
        return self.mentor_team_id if user_id == self.mentor_id else self.mentee_team_id

    def includes(self, team_id: str, user_id: str) -> bool:
        """Whether the person ``user_id`` of workspace ``team_id`` is one of the pair."""
        return (team_id, user_id) in (
            (self.mentor_team_id, self.mentor_id),
            (self.mentee_team_id, self.mentee_id),
        )

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


def partner_of(partnership: Partnership, user_id: str) -> str:
    """The other member of the partnership, seen from ``user_id``."""
    return partnership.mentee_id if user_id == partnership.mentor_id else partnership.mentor_id


@dataclass(frozen=True)
class AskOpening:
    """What the ask modal needs before it opens, read in one statement (the trigger dies 3 s
    after the click): the person's open request, the zone of their mentor profile, the zone
    Slack last told us (``person_zones``), and the mentor of a live partnership in which they
    are the mentee."""

    request: MentorRequest | None = None
    profile_zone: tuple[str, int] | None = None
    seen_zone: str | None = None
    current_mentor: str | None = None

    def zone(self, at: datetime) -> tuple[str, int] | None:
        """Where the person is, as far as we know: their request's zone, else their
        profile's, else the one Slack last told us (its offset as it is at ``at``)."""
        if self.request is not None:
            return (self.request.tz, self.request.tz_offset)
        if self.profile_zone is not None:
            return self.profile_zone
        if self.seen_zone:
            try:
                offset = at.astimezone(ZoneInfo(self.seen_zone)).utcoffset()
            except (ZoneInfoNotFoundError, ValueError):
                return None
            return (self.seen_zone, int(offset.total_seconds()) if offset is not None else 0)
        return None
