"""Payloads of the program team's work: check-ins, scheduled reports, the coordinator group."""

from __future__ import annotations

from dataclasses import dataclass, fields

from bot.model.health import ProgramHealth
from bot.model.messages.base import InPlace, Payload, PrivateText


@dataclass(frozen=True, kw_only=True)
class CheckIn(Payload):
    """From the program team to one partner: a check-in, or what a coordinator wrote."""

    coordinator_id: str
    partner_id: str
    text: PrivateText
    # A pair across workspaces (None, left out of the JSON: one workspace): the workspace of
    # the person this message names, whose name is asked there (a mention can't resolve).
    partner_team_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ProgramReport(ProgramHealth, Payload):
    """The period's figures as worked out when due (a retry sends the same report), to one
    coordinator: the message, then its chart and CSV."""

    schedule: str

    @classmethod
    def of(cls, health: ProgramHealth, *, schedule: str) -> ProgramReport:
        figures = {f.name: getattr(health, f.name) for f in fields(ProgramHealth)}
        return cls(**figures, schedule=schedule)


@dataclass(frozen=True, kw_only=True)
class ProgramReportDue(Payload):
    """Job: the period's report, for every coordinator of every workspace."""

    period: str
    schedule: str


@dataclass(frozen=True, kw_only=True)
class GroupRound(Payload):
    """Job, every hour: each workspace's coordinator user group is read."""

    group_id: str


@dataclass(frozen=True, kw_only=True)
class GroupSync(GroupRound):
    retry: int


@dataclass(frozen=True, kw_only=True)
class PlanCohort(Payload):
    """Job: a coordinator's `/mentor match`, asked at ``asked_at`` (ISO), working out the
    plan saved as ``PLANNING`` (None: queued before plans were saved first; one is made)."""

    include_choosing: bool
    asked_at: str
    plan_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class CohortPlanning(Payload):
    """To the coordinator, right away: their cohort is being worked out, for how many people
    (as counted when asked), since when. The job edits this very message as it goes
    (``bot.ports.PlanningBoard``), and its outcome takes its place."""

    plan_id: int
    asked_at: str
    include_choosing: bool
    mentees: int
    mentors: int


@dataclass(frozen=True, kw_only=True)
class CohortReady(InPlace):
    """To the coordinator: their proposal is ready (counts only; the button shows it), in
    place of the "working it out" message when that one was posted."""

    plan_id: int
    pairs: int
    unmatched: int
    seconds: float
    asked_at: str | None = None  # None: queued before it was told


@dataclass(frozen=True, kw_only=True)
class CohortFailed(InPlace):
    """To the coordinator, in place of "working it out": it could not be finished, nothing
    was sent to anyone, and a button asks for it again (what went wrong is in the logs)."""

    plan_id: int
    asked_at: str
    include_choosing: bool
