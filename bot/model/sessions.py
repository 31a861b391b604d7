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

from bot.when import SessionTime, local_to_utc, zone

LOOKAHEAD_WINDOW = timedelta(days=92)
LOOKAHEAD_WINDOWS = 40  # about ten years of a rule's dates, searched a quarter at a time


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
    """A pair's rule as its author said it. ``days`` holds every weekday of a rule with
    several (None: ``weekday`` alone); ``monthly_ordinal`` makes it "the first Monday of
    each month" (1..4, -1 for the last). Its dates come from ``rule().dates()``, so weekly,
    several days and monthly rules share one source of truth with the calendar invite."""

    team_id: str
    partnership_id: int
    tz: str
    local_time: str  # "HH:MM" on the author's wall clock
    weekday: int
    every_weeks: int  # 1, 2..4, or 0 for a one-off (4 for a monthly rule: see rule())
    first_date: date
    duration_minutes: int
    set_by: str
    version: int = 1
    days: list[int] | None = None  # None: ``weekday`` alone
    monthly_ordinal: int | None = None
    paused_until: date | None = None
    skipped: list[str] = field(default_factory=list)  # ISO local dates
    moved: dict[str, str] = field(default_factory=dict)  # ISO local date -> ISO UTC start
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def wall_clock(self) -> time:
        return time.fromisoformat(self.local_time)

    def rule(self) -> SessionTime:
        return SessionTime(
            tz=self.tz,
            local_time=self.wall_clock,
            first_date=self.first_date,
            every_weeks=self.every_weeks,
            weekday=self.weekday,
            days=tuple(self.days or ()),
            monthly_ordinal=self.monthly_ordinal,
            duration_minutes=self.duration_minutes,
        )

    def apply(self, when: SessionTime, *, duration_minutes: int, set_by: str) -> None:
        """Take a new rule; per-occurrence exceptions of the old one no longer apply."""
        self.tz = when.tz
        self.local_time = when.local_time.strftime("%H:%M")
        self.weekday = when.weekday
        self.every_weeks = when.every_weeks
        self.days = list(when.days) or None
        self.monthly_ordinal = when.monthly_ordinal
        self.first_date = when.first_date
        self.duration_minutes = duration_minutes
        self.set_by = set_by
        self.skipped = []
        self.moved = {}
        self.paused_until = None
        self.version += 1

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

    def _kept(self, day: date) -> bool:
        """Not skipped, and not inside a pause."""
        paused = self.paused_until is not None and day < self.paused_until
        return day.isoformat() not in self.skipped and not paused

    def occurrences(self, *, after: datetime, limit: int = 1) -> list[Occurrence]:
        """The next ``limit`` occurrences starting after ``after``, skips and pauses applied.

        Moved ones are looked at one by one (a move can jump ahead of later dates, or bring
        a past date's session into the future); the rule's own dates are read a quarter at
        a time from the day before ``after``'s local date until there are enough.
        """
        rule = self.rule()
        found = [
            self.occurrence_on(day)
            for day in map(date.fromisoformat, self.moved)
            if self._kept(day) and datetime.fromisoformat(self.moved[day.isoformat()]) > after
        ]
        own = 0
        start = max(self.first_date, after.astimezone(zone(self.tz)).date() - timedelta(days=1))
        for _ in range(LOOKAHEAD_WINDOWS):
            until = start + LOOKAHEAD_WINDOW
            for day in rule.dates(start, until):
                if day.isoformat() in self.moved or not self._kept(day):
                    continue
                occurrence = self.occurrence_on(day)
                if occurrence.start > after:
                    found.append(occurrence)
                    own += 1
            if own >= limit or not rule.recurring:
                break
            start = until + timedelta(days=1)
        found.sort(key=lambda o: o.start)
        return found[:limit]

    def next_occurrence(self, after: datetime) -> Occurrence | None:
        upcoming = self.occurrences(after=after, limit=1)
        return upcoming[0] if upcoming else None

    def longest_gap(self) -> timedelta:
        """The longest wait between two sessions of the rule: a week for "Tuesdays", four
        days for "Mondays and Thursdays", five weeks for some months of "the first Monday".
        Streaks and "the rhythm broke" measure against it rather than against weeks."""
        rule = self.rule()
        if not rule.recurring:
            return timedelta(weeks=1)
        days = rule.dates(self.first_date, self.first_date + timedelta(days=400))
        return max((b - a for a, b in pairwise(days)), default=timedelta(weeks=self.every_weeks))

    def describe(self, tz: str | None = None, *, label: str | None = None) -> str:
        """The rule in words, in the reader's zone ``tz`` (the author's if None), with its
        length: "every other Tuesday at 18:00 (your time), 45 minutes"."""
        return self.rule().describe(tz, label=label)


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


def weekly_streak(
    met_starts: list[datetime], *, every_weeks: int = 1, gap: timedelta | None = None
) -> int:
    """Sessions held in a row, counting back from the latest; a cycle (+2 days) apart at most.

    ``gap`` is the rule's own longest wait (``SessionSlot.longest_gap``), for rules that are
    not a whole number of weeks (several days a week, monthly); else ``every_weeks``."""
    if not met_starts:
        return 0
    ordered = sorted(met_starts, reverse=True)
    gap = (gap or timedelta(weeks=max(1, every_weeks))) + timedelta(days=2)
    streak = 1
    for newer, older in pairwise(ordered):
        if newer - older > gap:
            break
        streak += 1
    return streak
