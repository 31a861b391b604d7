"""What people tell the program about their partnership, and the signals coordinators act on.

A ``ProgressCheck`` is one person's answer to one prompt (a fortnightly pulse, the mid-term
review, the final evaluation). It belongs to its author: coordinators see aggregates, and the
text only when the author ticked "share this with the program team".

A ``RiskFlag`` is raised once per occasion (unique), so a job that runs twice, or a pulse
answered twice, tells coordinators once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class CheckKind(StrEnum):
    PULSE = "pulse"
    MIDTERM = "midterm"
    FINAL = "final"
    EXIT = "exit"  # the short survey after any ending (``bot.closing``)
    FIT = "fit"  # the early fit check: great / not sure yet / it isn't working


class RiskSignal(StrEnum):
    LOW_PULSE = "low_pulse"  # a pulse of 1 or 2
    UNANSWERED_PULSES = "unanswered_pulses"  # two in a row
    QUIET = "quiet"  # no session logged as met for four weeks
    FIT_UNSURE = "fit_unsure"  # "not sure yet" twice in a row at the fit check
    QUIET_UNDECIDED = "quiet_undecided"  # eight quiet weeks, nobody answered in a week


class QuietRung(StrEnum):
    """Where a quiet pair stands on the ladder (the rung last reached since they last met)."""

    NONE = ""  # met lately, or the clock restarted
    MENTEE = "mentee"  # the mentee (who drives) was nudged
    BOTH = "both"  # both were nudged, with a time proposed
    PROGRAM = "program"  # the coordinators were told
    DECIDE = "decide"  # both asked: pause, continue or close?
    PROGRAM_DECIDES = "program_decides"  # nobody answered in a week: the coordinators decide

    @property
    def label(self) -> str:
        return {
            QuietRung.NONE: "meeting",
            QuietRung.MENTEE: "mentee nudged",
            QuietRung.BOTH: "both nudged",
            QuietRung.PROGRAM: "coordinators told",
            QuietRung.DECIDE: "asked to pause, continue or close",
            QuietRung.PROGRAM_DECIDES: "waiting for the program team to decide",
        }[self]


class FitAnswer(StrEnum):
    """How a partner finds the fit so far, at the early fit check."""

    GREAT = "great"
    UNSURE = "unsure"
    NOT_WORKING = "not_working"

    @property
    def label(self) -> str:
        return {
            FitAnswer.GREAT: "Great",
            FitAnswer.UNSURE: "Not sure yet",
            FitAnswer.NOT_WORKING: "It isn't working",
        }[self]


MAX_NOTE = 2000


@dataclass
class ProgressCheck:
    team_id: str
    partnership_id: int
    user_id: str
    kind: CheckKind
    round: int
    answered_at: datetime
    score: int | None = None  # pulse 1-5, mid-term progress 1-5, final overall 1-5
    answers: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # private to the author unless ``share``
    share: bool = False
    id: int | None = None


@dataclass
class RiskFlag:
    team_id: str
    partnership_id: int
    signal: RiskSignal
    occasion: str  # what makes this flag unique for its pair and signal
    detail: str  # for coordinators: never anything a person wrote
    raised_at: datetime
    id: int | None = None
