"""What the App Home shows of the rhythm: each person's next step in each partnership, and
for coordinators the live pairs by rung of the quiet-pair ladder.

Counts for every rung; names only from the rung where coordinators are told of a quiet pair
by name anyway (the at-risk flag at four weeks), so the Home shows no more than the DMs do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.errors import NotAllowed
from bot.model.kinds import Kind
from bot.model.outbox import MessageStatus
from bot.model.partnership import PartnershipStatus, partner_of
from bot.model.progress import QuietRung
from bot.ports import sent_for_pair
from bot.rhythm.away import away_until
from bot.rhythm.fit_check import pending_fit
from bot.rhythm.part import RhythmPart

NAMED_RUNGS = (QuietRung.PROGRAM, QuietRung.DECIDE, QuietRung.PROGRAM_DECIDES)


class Step(StrEnum):
    AWAY = "away"  # on holiday: nothing is asked of them
    PAUSED = "paused"
    FIT = "fit"  # answer: how is the fit so far?
    DECIDE = "decide"  # eight quiet weeks: pause, continue or close?
    SCHEDULE = "schedule"  # no session planned
    MEET = "meet"  # the next session is planned


@dataclass(frozen=True)
class NextStep:
    partnership_id: int
    partner_id: str
    step: Step
    at: datetime | None = None  # MEET: the next session
    until: date | None = None  # AWAY, PAUSED
    round: int | None = None  # FIT: the round to answer


@dataclass(frozen=True)
class RungPair:
    partnership_id: int
    mentee_id: str
    mentor_id: str
    rung: QuietRung


@dataclass(frozen=True)
class LadderBoard:
    """Live pairs by rung (paused ones apart), and the pairs named from the fourth week."""

    by_rung: dict[QuietRung, int]
    paused: int
    named: list[RungPair] = field(default_factory=list)


class Steps(RhythmPart):
    def next_steps(self, team_id: str, user_id: str) -> list[NextStep]:
        now = self._clock.now()
        steps: list[NextStep] = []
        with self._uow() as uow:
            away = away_until(uow, team_id, user_id, now)
            for partnership in uow.partnerships.for_member(team_id, user_id):
                if not partnership.live or partnership.id is None:
                    continue
                pid, partner = partnership.id, partner_of(partnership, user_id)
                if away is not None:
                    steps.append(NextStep(pid, partner, Step.AWAY, until=away))
                    continue
                if partnership.paused_at(now):
                    steps.append(
                        NextStep(pid, partner, Step.PAUSED, until=partnership.paused_until)
                    )
                    continue
                if partnership.quiet_rung == QuietRung.DECIDE and any(
                    m.kind == Kind.QUIET_DECISION
                    and m.recipient == user_id
                    and m.status is MessageStatus.SENT
                    for m in sent_for_pair(uow.outbox, partnership, f"rhythm:{pid}:quiet:")
                ):
                    steps.append(NextStep(pid, partner, Step.DECIDE))
                    continue
                fit = pending_fit(uow, partnership, user_id)
                if fit is not None:
                    steps.append(NextStep(pid, partner, Step.FIT, round=fit))
                    continue
                slot = uow.sessions.slot(partnership.team_id, pid)
                upcoming = slot.next_occurrence(now) if slot is not None else None
                if upcoming is None or upcoming.start > partnership.ends_at:
                    steps.append(NextStep(pid, partner, Step.SCHEDULE))
                else:
                    steps.append(NextStep(pid, partner, Step.MEET, at=upcoming.start))
        return steps

    def ladder_board(self, team_id: str, coordinator_id: str) -> LadderBoard:
        if not self._roster.is_coordinator(team_id, coordinator_id):
            raise NotAllowed("The quiet-pair ladder is for the program's coordinators.")
        with self._uow() as uow:
            pairs = [p for p in uow.partnerships.live() if p.team_id == team_id]
        paused = [p for p in pairs if p.status is PartnershipStatus.PAUSED]
        active = [p for p in pairs if p.status is PartnershipStatus.ACTIVE]
        counts = Counter(_rung(p.quiet_rung) for p in active)
        named = [
            RungPair(p.id, p.mentee_id, p.mentor_id, _rung(p.quiet_rung))
            for p in sorted(active, key=lambda p: (p.quiet_since or p.started_at, p.id or 0))
            if p.id is not None and _rung(p.quiet_rung) in NAMED_RUNGS
        ]
        return LadderBoard(
            by_rung={rung: counts.get(rung, 0) for rung in QuietRung},
            paused=len(paused),
            named=named,
        )


def _rung(value: str) -> QuietRung:
    try:
        return QuietRung(value)
    except ValueError:
        return QuietRung.NONE
