"""A coordinator's cohort plan: the proposed pairs and what became of each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class PairState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"  # the mentor has been asked, as if the mentee had picked them
    LEFT_OUT = "left_out"  # the coordinator chose not to send this one
    STALE = (
        "stale"  # things changed before approval (the mentee found a mentor, the mentor filled up)
    )


@dataclass
class PlannedPair:
    request_id: int
    mentee_id: str
    mentor_id: str
    score: int
    reason: str
    state: PairState = PairState.PROPOSED
    note: str = ""  # why a pair went stale, in words a coordinator understands

    def as_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "mentee_id": self.mentee_id,
            "mentor_id": self.mentor_id,
            "score": self.score,
            "reason": self.reason,
            "state": self.state.value,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlannedPair:
        return cls(
            request_id=int(data["request_id"]),
            mentee_id=str(data["mentee_id"]),
            mentor_id=str(data["mentor_id"]),
            score=int(data["score"]),
            reason=str(data["reason"]),
            state=PairState(data.get("state", PairState.PROPOSED.value)),
            note=str(data.get("note", "")),
        )


class PlanStatus(StrEnum):
    """Where a plan is: a workspace has at most one ``PLANNING`` at a time (the database
    holds it to that), so a second `/mentor match` is told, not planned twice."""

    PLANNING = "planning"  # asked for; its job works it out in the background
    READY = "ready"
    FAILED = "failed"  # the job could not finish it; the coordinator can ask again


class PlanStage(StrEnum):
    """The steps of working a cohort out, in order: what the coordinator watches go by.

    Reported at step boundaries only (a handful per plan, never per row), so showing them
    costs the planner nothing it would notice."""

    READING = "reading"  # the waitlist, the mentors, their loads and who may not meet whom
    SCORING = "scoring"  # every pair's fit and hard rules
    SOLVING = "solving"  # the optimal assignment
    EXPLAINING = "explaining"  # each chosen pair's reason, as `/mentor ask` words it


@dataclass(frozen=True)
class PlanProgress:
    """A snapshot of a plan being worked out: the step, and the sizes known by then
    (``mentors`` and ``places``: those with room, once read; ``program`` of ``programs``:
    each program is its own assignment)."""

    stage: PlanStage
    mentees: int = 0
    mentors: int = 0
    places: int = 0
    program: int = 1
    programs: int = 1


@dataclass
class CohortPlan:
    """A proposed assignment, kept so the coordinator can approve it over several clicks.

    Saved first as ``PLANNING`` when `/mentor match` is asked (``created_at`` is then the
    moment it was asked), filled in by its job."""

    team_id: str
    created_by: str
    created_at: datetime
    pairs: list[PlannedPair]
    unmatched: list[str] = field(default_factory=list)  # mentee IDs nobody could take
    total_fit: int = 0
    id: int | None = None
    status: PlanStatus = PlanStatus.READY
    include_choosing: bool = False  # `/mentor match everyone`: those still choosing too

    def count(self, state: PairState) -> int:
        return sum(1 for p in self.pairs if p.state is state)
