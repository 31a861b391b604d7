"""The weekly session: a wall-clock rule, its occurrences, and what each occurrence sends.

A slot is stored as the author meant it ("Tuesdays 15:00, Europe/Berlin") and turned into UTC
per occurrence, so it stays at 15:00 local across daylight-saving changes. Only the next
occurrence is planned in the outbox at a time; a job at its end plans the one after, so a
change of plan never leaves a year of stale reminders behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise

from bot.when import SessionTime, local_to_utc

MAX_LOOKAHEAD_OCCURRENCES = 400


class SessionOutcome(StrEnum):
    MET = "met"
    RESCHEDULED = "rescheduled"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Occurrence:
    start: datetime  # UTC
    end: datetime
    original_date: date  # the local date the rule gave it, which identifies it even if moved
    moved: bool = False


@dataclass
class SessionSlot:
    team_id: str
    partnership_id: int
    tz: str
    local_time: str  # "HH:MM" on the author's wall clock
    weekday: int
    every_weeks: int  # 1, 2, or 0 for a one-off
    first_date: date
    duration_minutes: int
    set_by: str
    version: int = 1
    paused_until: date | None = None
    skipped: list[str] = field(default_factory=list)  # ISO local dates
    moved: dict[str, str] = field(default_factory=dict)  # ISO local date -> ISO UTC start
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def wall_clock(self) -> time:
        return time.fromisoformat(self.local_time)

    def apply(self, when: SessionTime, *, duration_minutes: int, set_by: str) -> None:
        """Take a new rule; per-occurrence exceptions of the old one no longer apply."""
        self.tz = when.tz
        self.local_time = when.local_time.strftime("%H:%M")
        self.weekday = when.weekday
        self.every_weeks = when.every_weeks
        self.first_date = when.first_date
        self.duration_minutes = duration_minutes
        self.set_by = set_by
        self.skipped = []
        self.moved = {}
        self.paused_until = None
        self.version += 1

    def _dates(self) -> list[date]:
        if self.every_weeks == 0:
            return [self.first_date]
        step = timedelta(weeks=self.every_weeks)
        return [self.first_date + step * i for i in range(MAX_LOOKAHEAD_OCCURRENCES)]

    def occurrence_on(self, original: date) -> Occurrence:
        duration = timedelta(minutes=self.duration_minutes)
        moved = self.moved.get(original.isoformat())
        start = (
            datetime.fromisoformat(moved)
            if moved
            else local_to_utc(original, self.wall_clock, self.tz)
        )
        return Occurrence(
            start=start, end=start + duration, original_date=original, moved=bool(moved)
        )

    def occurrences(self, *, after: datetime, limit: int = 1) -> list[Occurrence]:
        """The next ``limit`` occurrences starting after ``after``, skips and pauses applied."""
        found: list[Occurrence] = []
        for day in self._dates():
            if day.isoformat() in self.skipped:
                continue
            if self.paused_until is not None and day < self.paused_until:
                continue
            occurrence = self.occurrence_on(day)
            if occurrence.start > after:
                found.append(occurrence)
            # a moved occurrence can jump ahead of later ones: keep a little more, then sort
            if len(found) >= limit + 1 and not self.moved:
                break
        found.sort(key=lambda o: o.start)
        return found[:limit]

    def next_occurrence(self, after: datetime) -> Occurrence | None:
        upcoming = self.occurrences(after=after, limit=1)
        return upcoming[0] if upcoming else None

    def describe(self) -> str:
        when = SessionTime(
            tz=self.tz,
            local_time=self.wall_clock,
            first_date=self.first_date,
            every_weeks=self.every_weeks,
            weekday=self.weekday,
        )
        return f"{when.describe()}, {self.duration_minutes} minutes"


@dataclass
class SessionLog:
    """What happened at one occurrence; the first answer of either partner counts for both."""

    team_id: str
    partnership_id: int
    occurrence_start: datetime
    outcome: SessionOutcome
    answered_by: str
    answered_at: datetime
    id: int | None = None


@dataclass
class MemberPreferences:
    team_id: str
    user_id: str
    session_reminders: bool = True
    id: int | None = None
    away_until: date | None = None  # a declared holiday: no nudges until this day


def weekly_streak(met_starts: list[datetime], *, every_weeks: int = 1) -> int:
    """Sessions held in a row, counting back from the latest; a cycle (+2 days) apart at most."""
    if not met_starts:
        return 0
    ordered = sorted(met_starts, reverse=True)
    gap = timedelta(weeks=max(1, every_weeks), days=2)
    streak = 1
    for newer, older in pairwise(ordered):
        if newer - older > gap:
            break
        streak += 1
    return streak
