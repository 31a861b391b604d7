"""Payloads of the program's rhythm: prompts to each partner (held to their working hours),
notes to the program team, and the jobs that plan them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.model.journal import GoalStatus
from bot.model.messages.base import PairPrompt, Payload, PrivateText, Zoned


@dataclass(frozen=True, kw_only=True)
class Pulse(PairPrompt):
    round: int


@dataclass(frozen=True, kw_only=True)
class QuietNudge(PairPrompt):
    days: int
    both: bool  # the second stage: both partners hear it
    mentee: bool  # to the mentee (who drives the scheduling)
    proposed: datetime | None = None  # the second rung: a time inside both working days
    minutes: int | None = None  # the session proposed, in minutes (None: an hour)


@dataclass(frozen=True, kw_only=True)
class FitQuestion(PairPrompt):
    """How is the fit so far? ``round``: the sessions met when it was asked (0: none yet)."""

    round: int


@dataclass(frozen=True, kw_only=True)
class QuietDecision(PairPrompt):
    """A quiet stretch of ``days``: pause, continue or close?"""

    days: int


@dataclass(frozen=True, kw_only=True)
class GoalLine:
    """One of the mentee's goals as the goal check shows it."""

    id: int
    text: PrivateText
    status: GoalStatus
    note: PrivateText


@dataclass(frozen=True, kw_only=True)
class GoalCheck(PairPrompt):
    months: int | None
    goals: tuple[GoalLine, ...]


@dataclass(frozen=True, kw_only=True)
class TermNotice(PairPrompt):
    ends_at: datetime
    extension_days: int


@dataclass(frozen=True, kw_only=True)
class YearInNumbers(PairPrompt):
    sessions: int
    longest_streak: int
    weeks: int
    pulses_answered: int
    goals_done: int
    milestones: int


@dataclass(frozen=True, kw_only=True)
class PartnershipEnded(Zoned):
    """To the partner who didn't end it (to both when the program team closed it)."""

    partnership_id: int
    ended_by: str
    to_mentee: bool
    by_program: bool | None = None
    partner_id: str | None = None  # set when the program closed it: the note names them
    goals_reached: bool | None = None  # the mentee is asked about a new mentor, not sent any
    # A pair across workspaces (None, left out of the JSON: one workspace): the workspace of
    # the person this message names, whose name is asked there (a mention can't resolve).
    partner_team_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class PairForTeam(Zoned):
    """A pair, as the program team hears of it (each coordinator in their own zone, looked up:
    the planner leaves ``tz`` empty)."""

    partnership_id: int
    mentor_id: str
    mentee_id: str
    # A pair across workspaces (None, left out of the JSON: one workspace): each person's own
    # workspace, where their name is asked (their mention can't resolve in another).
    mentor_team_id: str | None = None
    mentee_team_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class AtRisk(PairForTeam):
    """A risk signal, or a note a partner shared with the program team (signal "shared")."""

    signal: str
    detail: str
    author_id: str | None = None
    shared_note: PrivateText | None = None


@dataclass(frozen=True, kw_only=True)
class CoordinatorEnded(PairForTeam):
    ended_by: str
    reason: str
    note: PrivateText  # for the program team only


@dataclass(frozen=True, kw_only=True)
class CoordinatorQuietDecision(PairForTeam):
    """Nobody answered "pause, continue or close?": the program team decides."""

    days: int


@dataclass(frozen=True, kw_only=True)
class PartnershipJob(Payload):
    """Job about one partnership (the quiet check, the mid-term)."""

    partnership_id: int


@dataclass(frozen=True, kw_only=True)
class PulseRound(PartnershipJob):
    round: int


@dataclass(frozen=True, kw_only=True)
class GoalCheckDue(PartnershipJob):
    months: int


@dataclass(frozen=True, kw_only=True)
class TermJob(PartnershipJob):
    """Job at the term notice or the term's end; ``ends_at`` (as ``stamp`` writes it) tells
    a job planned for an end that was since moved (an extension) from the current one."""

    ends_at: str


@dataclass(frozen=True, kw_only=True)
class QuietDecisionDue(PartnershipJob):
    """A week after "pause, continue or close?": ``since`` (as ``stamp`` writes it) tells a
    job of an earlier quiet stretch from the current one."""

    since: str
    days: int


@dataclass(frozen=True, kw_only=True)
class PlanMissing(Payload):
    """Start-up job: plan the rhythm of pairs after ``after_id`` (a chain, a chunk a job),
    for the start at ``started`` (ISO)."""

    started: str
    after_id: int
