"""What the journal shows: pages of entries, a partnership as one member sees it on their App
Home, the export, and a reflection being written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from bot.model.journal import (
    Goal,
    JournalPreferences,
    Milestone,
    Reflection,
    Visibility,
)
from bot.model.partnership import (
    MentorProfile,
    MentorRequest,
    Partnership,
    partner_of,
)
from bot.model.sessions import SessionOutcome, weekly_streak
from bot.ports import JournalWork

T = TypeVar("T")


RECENT = 3


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    offset: int
    total: int

    @property
    def has_older(self) -> bool:
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True)
class PartnershipSummary:
    """One partnership as one of its members sees it on their App Home."""

    partnership: Partnership
    viewer_id: str
    next_session: datetime | None
    held: int
    streak: int
    goals: list[Goal]
    milestones: list[Milestone]
    milestone_count: int
    reflections: list[Reflection]  # the viewer's own, newest first
    reflection_count: int
    next_original_date: date | None = None  # identifies the next occurrence, even if moved
    paused_until: date | None = None  # the weekly sessions, when paused

    @property
    def partner_id(self) -> str:
        return partner_of(self.partnership, self.viewer_id)

    @property
    def viewer_is_mentor(self) -> bool:
        return self.partnership.mentor_id == self.viewer_id


@dataclass(frozen=True)
class HomeData:
    user_id: str
    summaries: list[PartnershipSummary]
    profile: MentorProfile | None
    request: MentorRequest | None
    preferences: JournalPreferences
    program_channel: str | None


@dataclass(frozen=True)
class ExportedPartnership:
    partnership: Partnership
    goals: list[Goal]
    milestones: list[Milestone]
    reflections: list[Reflection]  # written by the person exporting, and only those


@dataclass(frozen=True)
class JournalExport:
    user_id: str
    generated_at: datetime
    partnerships: list[ExportedPartnership] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.partnerships


@dataclass(frozen=True)
class ReflectionDraft:
    """What a partner writes after a session."""

    topics: str
    learned: str
    next_steps: str
    visibility: Visibility = Visibility.PRIVATE


def summary(
    uow: JournalWork, partnership: Partnership, user_id: str, now: datetime
) -> PartnershipSummary:
    team_id = partnership.team_id
    assert partnership.id is not None
    slot = uow.sessions.slot(team_id, partnership.id)
    upcoming = slot.next_occurrence(now) if slot is not None else None
    if upcoming is not None and upcoming.start > partnership.ends_at:
        upcoming = None
    met = [
        log.occurrence_start
        for log in uow.sessions.logs(team_id, partnership.id)
        if log.outcome is SessionOutcome.MET
    ]
    gap = slot.longest_gap() if slot is not None else timedelta(weeks=1)
    streak = weekly_streak(met, gap=gap)
    if met and now - max(met) > gap + timedelta(weeks=1, days=2):
        streak = 0  # the rhythm broke since the last session: no current streak
    return PartnershipSummary(
        partnership=partnership,
        viewer_id=user_id,
        next_session=upcoming.start if upcoming else None,
        next_original_date=upcoming.original_date if upcoming else None,
        paused_until=slot.paused_until if slot is not None else None,
        held=len(met),
        streak=streak,
        goals=uow.journal.goals(team_id, partnership.id),
        milestones=uow.journal.milestones(team_id, partnership.id, limit=RECENT),
        milestone_count=uow.journal.count_milestones(team_id, partnership.id),
        # their own reflections, kept in their own workspace (a pair may span two)
        reflections=uow.journal.reflections(
            partnership.team_of(user_id),
            partnership_id=partnership.id,
            authors=(user_id,),
            limit=RECENT,
        ),
        reflection_count=uow.journal.count_reflections(
            partnership.team_of(user_id), partnership_id=partnership.id, authors=(user_id,)
        ),
    )
