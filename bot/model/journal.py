"""The partnership's memory: goals, reflections and milestones.

Reflections belong to their author. The partner reads one only when the author shared it,
and coordinators only ever get counts: every read goes through ``readable_by`` here, in the
service layer, so no handler can forget the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class GoalStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "in_progress": "In progress", "done": "Done"}[
            self.value
        ]


class Visibility(StrEnum):
    PRIVATE = "private"
    SHARED = "shared"  # with the partner; never with coordinators


@dataclass
class Goal:
    team_id: str
    partnership_id: int
    text: str
    position: int
    status: GoalStatus = GoalStatus.NOT_STARTED
    note: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    done_at: datetime | None = None
    id: int | None = None


@dataclass
class Reflection:
    team_id: str
    partnership_id: int
    author_id: str
    topics: str
    learned: str
    next_steps: str
    visibility: Visibility = Visibility.PRIVATE
    session_start: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    def readable_by(self, user_id: str, *, partner_id: str) -> bool:
        return user_id == self.author_id or (
            self.visibility is Visibility.SHARED and user_id == partner_id
        )


@dataclass
class Milestone:
    """Something worth celebrating. ``key`` is unique per partnership: each is celebrated once."""

    team_id: str
    partnership_id: int
    key: str
    title: str
    achieved_at: datetime
    personal: bool = False
    created_by: str = ""
    id: int | None = None


SESSION_COUNTS = (1, 5, 10, 25)
MONTHS_TOGETHER = (1, 3, 6, 9)
STREAK_WEEKS = 4


def session_milestone(held: int) -> tuple[str, str] | None:
    if held not in SESSION_COUNTS:
        return None
    if held == 1:
        return "sessions:1", "your first session together"
    return f"sessions:{held}", f"{held} sessions together"


def months_title(months: int) -> str:
    return "one month together" if months == 1 else f"{months} months together"


MAX_GOALS = 5
MAX_GOAL_TEXT = 300
MAX_NOTE = 1000
MAX_REFLECTION_FIELD = 2000
MAX_MILESTONE_TEXT = 200
CELEBRATION_WORDINGS = 6
"""How many ways a celebration DM can be worded; the renderer has exactly this many."""


@dataclass
class JournalPreferences:
    """One person's journal settings.

    ``shout_outs``: whether this person agrees to the pair's milestones being announced in the
    program channel (both partners must agree; off by default). ``last_wording`` remembers the
    last celebration wording they got, so the next one is worded differently.
    """

    team_id: str
    user_id: str
    shout_outs: bool = False
    last_wording: int = -1
    id: int | None = None


def goal_done_key(goal_id: int) -> str:
    return f"goal:{goal_id}:done"


STREAK_KEY = f"streak:{STREAK_WEEKS}"
STREAK_TITLE = f"{STREAK_WEEKS} weekly sessions in a row"
TERM_KEY = "term:completed"
TERM_TITLE = "your mentoring year, completed"


def public_title(title: str) -> str:
    """A milestone title as the program channel reads it (about the pair, not to them)."""
    return "their " + title[5:] if title.startswith("your ") else title
