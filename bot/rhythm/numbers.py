"""A person's year in numbers: sessions, streak, goals reached, milestones (never text)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from bot.model.journal import GoalStatus
from bot.model.messages.rhythm import YearInNumbers
from bot.model.partnership import Partnership, partner_of
from bot.model.progress import CheckKind
from bot.model.sessions import SessionOutcome
from bot.ports import RhythmWork


def longest_streak(met_starts: list[datetime], *, gap: timedelta = timedelta(days=9)) -> int:
    """The longest run of sessions held with at most ``gap`` (a week and two days) between."""
    if not met_starts:
        return 0
    best = run = 1
    for older, newer in pairwise(sorted(met_starts)):
        run = run + 1 if newer - older <= gap else 1
        best = max(best, run)
    return best


def year_in_numbers(uow: RhythmWork, partnership: Partnership, user_id: str) -> YearInNumbers:
    """A person's year, in numbers only: sessions, streak, goals reached, milestones."""
    assert partnership.id is not None
    met = [
        log.occurrence_start
        for log in uow.sessions.logs(partnership.team_id, partnership.id)
        if log.outcome is SessionOutcome.MET
    ]
    pulses = [
        c
        for c in uow.progress.checks(partnership.team_id, partnership.id)
        if c.user_id == user_id and c.kind is CheckKind.PULSE and c.score is not None
    ]
    end = partnership.ended_at or partnership.ends_at
    slot = uow.sessions.slot(partnership.team_id, partnership.id)
    every = timedelta(weeks=max(1, slot.every_weeks if slot else 1), days=2)
    return YearInNumbers(
        partnership_id=partnership.id,
        partner_id=partner_of(partnership, user_id),
        sessions=len(met),
        longest_streak=longest_streak(met, gap=every),
        weeks=max(0, (end - partnership.started_at).days // 7),
        pulses_answered=len(pulses),
        goals_done=sum(
            1
            for goal in uow.journal.goals(partnership.team_id, partnership.id)
            if goal.status is GoalStatus.DONE
        ),
        milestones=uow.journal.count_milestones(partnership.team_id, partnership.id),
    )
