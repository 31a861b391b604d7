"""A program's health as coordinators see it: counts and rates, never a partnership's contents.

The nouns only; ``bot/coordination/health.py`` works them out. They live here because a
scheduled report carries them in its outbox payload as they were worked out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class MonthTrend:
    month: str  # "2026-03"
    sessions_held: int
    active_pairs: int


@dataclass(frozen=True)
class AtRiskPair:
    """A live pair with a recent risk signal: who, and why in the program's words only."""

    partnership_id: int
    mentee_id: str
    mentor_id: str
    signal: str
    raised_at: datetime
    # A pair across workspaces (None, left out of the JSON: one workspace): each person's own
    # workspace, where their name is asked (their mention can't resolve in the host's).
    mentee_team_id: str | None = None
    mentor_team_id: str | None = None


@dataclass(frozen=True)
class ProgramHealth:
    as_of: datetime
    mentors: int
    mentees: int
    waitlisted: int
    active_pairs: int
    paused_pairs: int
    sessions_last_30_days: int
    sessions_per_pair_per_month: float
    met_last_14_days_share: float  # of active pairs, 0..1
    completed: int
    ended_early: int
    end_reasons: dict[str, int]
    median_wait_days: float | None  # from asking to being matched
    longest_current_wait_days: float | None
    trend: list[MonthTrend]
    average_pulse: float | None  # 1-5, pulses answered in the last 30 days; None: no pulses
    goals_done_this_month: int = 0
    milestones_this_month: int = 0
    at_risk: list[AtRiskPair] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # more figures other parts add
    program: str = ""  # one program's figures (its name); empty: the whole workspace

    def rows(self) -> list[tuple[str, str]]:
        """The headline figures as label/value pairs: the CSV and the message share them."""
        rows = [
            ("Mentors", str(self.mentors)),
            ("Mentees", str(self.mentees)),
            ("Waitlisted", str(self.waitlisted)),
            ("Active pairs", str(self.active_pairs)),
            ("Paused pairs", str(self.paused_pairs)),
            ("Sessions held, last 30 days", str(self.sessions_last_30_days)),
            ("Sessions per pair per month", f"{self.sessions_per_pair_per_month:.1f}"),
            ("Pairs that met in the last 14 days", f"{self.met_last_14_days_share:.0%}"),
            (
                "Average pulse (1-5), last 30 days",
                "-" if self.average_pulse is None else f"{self.average_pulse:.1f}",
            ),
            ("Pairs at risk", str(len(self.at_risk))),
            ("Goals done this month", str(self.goals_done_this_month)),
            ("Milestones this month", str(self.milestones_this_month)),
            ("Completed partnerships", str(self.completed)),
            ("Ended early", str(self.ended_early)),
            ("Median wait for a mentor (days)", _days(self.median_wait_days)),
            ("Longest current wait (days)", _days(self.longest_current_wait_days)),
        ]
        rows += [(reason, str(n)) for reason, n in _reason_rows(self.end_reasons)]
        rows += list(self.extra.items())
        return rows


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _reason_rows(reasons: dict[str, int]) -> list[tuple[str, int]]:
    return [
        (f"Ended early: {reason}", n)
        for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]
