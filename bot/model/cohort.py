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


@dataclass
class CohortPlan:
    """A proposed assignment, kept so the coordinator can approve it over several clicks."""

    team_id: str
    created_by: str
    created_at: datetime
    pairs: list[PlannedPair]
    unmatched: list[str] = field(default_factory=list)  # mentee IDs nobody could take
    total_fit: int = 0
    id: int | None = None

    def count(self, state: PairState) -> int:
        return sum(1 for p in self.pairs if p.state is state)
