"""The mid-term review: asked half-way through, answered by each partner, summed up for
coordinators as counts and averages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import DomainError
from bot.model.kinds import Kind
from bot.model.messages import PairPrompt
from bot.model.messages.rhythm import PartnershipJob
from bot.model.outbox import OutgoingMessage
from bot.model.progress import MAX_NOTE, CheckKind, ProgressCheck
from bot.ports import RhythmWork
from bot.rhythm.part import RhythmPart, ask_both, midnight

MIDTERM_RHYTHMS: tuple[tuple[str, str], ...] = (
    ("as_planned", "We meet as planned"),
    ("less_often", "Less often than planned"),
    ("rarely", "Rarely"),
)


@dataclass(frozen=True)
class MidtermSummary:
    """What coordinators see of the mid-term review: counts and averages, never text."""

    asked: int
    answered: int
    average_progress: float | None
    rhythms: dict[str, int]


class Midterm(RhythmPart):
    """Half-way through the term both partners look back; coordinators see counts only."""

    def midterm(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        partnership = self._live(uow, message)
        if partnership is None:
            return
        assert partnership.id is not None
        if partnership.paused_at(now):
            assert partnership.paused_until is not None
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.MIDTERM,
                    recipient=partnership.mentee_id,
                    key=f"rhythm:{partnership.id}:midterm-job:after-pause",
                    due_at=midnight(partnership.paused_until),
                    payload=PartnershipJob(partnership_id=partnership.id),
                )
            )
            return
        ask_both(
            uow,
            partnership,
            kind=Kind.MIDTERM_REVIEW,
            key=f"rhythm:{partnership.id}:midterm",
            coalesce=f"midterm:{partnership.id}",
            due_at=message.due_at,
            prompt=PairPrompt(partnership_id=partnership.id, partner_id=""),
        )

    def answer_midterm(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        progress: int,
        rhythm: str,
        change: str,
    ) -> ProgressCheck:
        if not 1 <= progress <= 5:
            raise DomainError("Pick how far along you are, from 1 to 5.", field="progress")
        if rhythm not in dict(MIDTERM_RHYTHMS):
            raise DomainError("Pick how often you meet.", field="rhythm")
        if len(change) > MAX_NOTE:
            raise DomainError(f"Keep it under {MAX_NOTE} characters.", field="change")
        return self._save_answer(
            team_id=team_id,
            user_id=user_id,
            partnership_id=partnership_id,
            kind=CheckKind.MIDTERM,
            score=progress,
            answers={"rhythm": rhythm},
            note=change.strip(),
        )

    def midterm_summary(self, team_id: str) -> MidtermSummary:
        with self._uow() as uow:
            answers = uow.progress.checks_of_kind(team_id, CheckKind.MIDTERM)
            # asked in each person's own workspace: a pair of this program across workspaces
            # was asked partly in a member workspace's outbox
            live = [p for p in uow.partnerships.live() if p.team_id == team_id]
            pairs = {p.id for p in live}
            elsewhere = {t for p in live for t in p.workspaces()} - {team_id}
            asked = len(
                [m for m in uow.outbox.sent(team_id, "rhythm:") if m.kind == Kind.MIDTERM_REVIEW]
            ) + sum(
                1
                for other in sorted(elsewhere)
                for m in uow.outbox.sent(other, "rhythm:")
                if m.kind == Kind.MIDTERM_REVIEW
                and isinstance(m.payload, PairPrompt)
                and m.payload.partnership_id in pairs
            )
        scores = [a.score for a in answers if a.score is not None]
        rhythms = {key: 0 for key, _ in MIDTERM_RHYTHMS}
        for answer in answers:
            key = str(answer.answers.get("rhythm", ""))
            if key in rhythms:
                rhythms[key] += 1
        return MidtermSummary(
            asked=asked,
            answered=len(answers),
            average_progress=round(sum(scores) / len(scores), 1) if scores else None,
            rhythms=rhythms,
        )
