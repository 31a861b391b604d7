"""The early fit check: "How is the fit so far?", to each partner privately.

Asked after the first session met (or three weeks after the introduction if none is met by
then) and again after the third. A round is numbered by the sessions met when it was asked
(0: none yet), so it is keyed once per person and round whatever re-runs. "It isn't working"
offers a no-blame close (``Term.end``: the partner hears kindly, the mentee gets new
suggestions, never this mentor again) or "ask me again after the next session". Two
"not sure yet" in a row tell the coordinators the signal only, never anyone's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import Conflict, DomainError
from bot.model.kinds import Kind
from bot.model.messages.rhythm import FitQuestion, PartnershipJob
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import Partnership, partner_of
from bot.model.progress import CheckKind, FitAnswer, ProgressCheck, RiskSignal
from bot.model.sessions import SessionOutcome
from bot.ports import OutboxWork, RhythmWork, sent_for_pair, status_for_member
from bot.rhythm.part import RhythmPart, addressed, member_zones

FIT_EXPIRES = timedelta(days=7)
AGAIN = "again"  # in a "not working" answer: ask after the next session met


@dataclass(frozen=True)
class FitAnswered:
    check: ProgressCheck
    answer: FitAnswer
    flagged: bool
    partner_id: str


def plan_fit_check(uow: OutboxWork, partnership: Partnership, *, days: int) -> None:
    """At the start: the check that comes three weeks in if no session is met by then."""
    assert partnership.id is not None
    uow.outbox.add(
        OutgoingMessage(
            team_id=partnership.team_id,
            kind=Kind.FIT_CHECK_DUE,
            recipient=partnership.mentee_id,
            key=f"rhythm:{partnership.id}:fit-job",
            due_at=partnership.started_at + timedelta(days=days),
            payload=PartnershipJob(partnership_id=partnership.id),
        )
    )


def fit_key(partnership_id: int | None, round_no: int, member: str) -> str:
    return f"rhythm:{partnership_id}:fit:{round_no}:{member}"


class FitCheck(RhythmPart):
    """Asked early, answered by button or in the DM, acted on without blame."""

    def fit_check_due(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        """Job, three weeks in: only if the pair has not met yet (else the first session
        asked already)."""
        partnership = self._live(uow, message)
        if partnership is None or _met(uow, partnership):
            return
        for member in partnership.members():
            self._ask(uow, partnership, member, 0, now)

    def session_met(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        """Job (a session met): the first and third sessions ask; so does the next one for
        whoever said "ask me again"."""
        partnership = self._live(uow, message)
        if partnership is None:
            return
        met = _met(uow, partnership)
        for member in partnership.members():
            asked_early = status_for_member(
                uow.outbox, partnership, member, fit_key(partnership.id, 0, member)
            )
            if (
                (met == 1 and asked_early is None)
                or met == 3
                or self._wants_again(uow, partnership, member, met)
            ):
                self._ask(uow, partnership, member, met, now)

    @staticmethod
    def _wants_again(uow: RhythmWork, partnership: Partnership, member: str, met: int) -> bool:
        latest = _fit_checks(uow, partnership, member)
        return bool(latest) and latest[-1].round < met and bool(latest[-1].answers.get(AGAIN))

    def _ask(
        self, uow: RhythmWork, partnership: Partnership, member: str, round_no: int, now: datetime
    ) -> None:
        assert partnership.id is not None
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_of(member),
                kind=Kind.FIT_CHECK,
                recipient=member,
                key=fit_key(partnership.id, round_no, member),
                due_at=now,
                expires_at=now + FIT_EXPIRES,
                coalesce_key=f"fit:{partnership.id}:{member}",
                payload=addressed(
                    FitQuestion(partnership_id=partnership.id, partner_id="", round=round_no),
                    partnership,
                    member,
                    member_zones(uow, partnership),
                ),
            )
        )

    def answer_fit(
        self, *, team_id: str, user_id: str, partnership_id: int, round_no: int, answer: str
    ) -> FitAnswered:
        try:
            fit = FitAnswer(answer)
        except ValueError:
            raise DomainError("Pick Great, Not sure yet or It isn't working.") from None
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id)
            if uow.outbox.status_of(team_id, fit_key(partnership_id, round_no, user_id)) is None:
                raise Conflict("That question is out of date.")
            check = uow.progress.check(
                team_id, partnership_id, user_id, CheckKind.FIT, round_no
            ) or ProgressCheck(
                team_id=team_id,
                partnership_id=partnership_id,
                user_id=user_id,
                kind=CheckKind.FIT,
                round=round_no,
                answered_at=now,
            )
            check.answers, check.answered_at = {"fit": fit.value}, now
            uow.progress.save_check(check)
            flagged = fit is FitAnswer.UNSURE and self._unsure_twice(
                uow, partnership, user_id, round_no, now
            )
            uow.commit()
            return FitAnswered(
                check=check,
                answer=fit,
                flagged=flagged,
                partner_id=partner_of(partnership, user_id),
            )

    def _unsure_twice(
        self,
        uow: RhythmWork,
        partnership: Partnership,
        user_id: str,
        round_no: int,
        now: datetime,
    ) -> bool:
        answered = [c for c in _fit_checks(uow, partnership, user_id) if c.round <= round_no]
        if len(answered) < 2:
            return False
        if not all(c.answers.get("fit") == FitAnswer.UNSURE for c in answered[-2:]):
            return False
        role = "mentee" if user_id == partnership.mentee_id else "mentor"
        return self._flag(
            uow,
            partnership,
            signal=RiskSignal.FIT_UNSURE,
            occasion=f"fit{round_no}:{user_id}",
            detail=f"the {role} was not sure about the fit twice in a row",
            now=now,
        )

    def ask_again(self, *, team_id: str, user_id: str, partnership_id: int, round_no: int) -> None:
        """ "Ask me again after the next session": kept with their answer."""
        with self._uow() as uow:
            self._member_of(uow, team_id, user_id, partnership_id)
            check = uow.progress.check(team_id, partnership_id, user_id, CheckKind.FIT, round_no)
            if check is None or check.answers.get("fit") != FitAnswer.NOT_WORKING:
                raise Conflict("That question is out of date.")
            check.answers = {**check.answers, AGAIN: True}
            uow.progress.save_check(check)
            uow.commit()


def pending_fit(uow: RhythmWork, partnership: Partnership, user_id: str) -> int | None:
    """The round of a fit check this person got and has not answered, if any."""
    asked = [
        m.payload.round
        for m in sent_for_pair(uow.outbox, partnership, f"rhythm:{partnership.id}:fit:")
        if m.recipient == user_id
        and m.status is MessageStatus.SENT
        and isinstance(m.payload, FitQuestion)
    ]
    answered = {c.round for c in _fit_checks(uow, partnership, user_id)}
    open_rounds = [r for r in asked if r >= 0 and r not in answered]
    return max(open_rounds) if open_rounds else None


def _met(uow: RhythmWork, partnership: Partnership) -> int:
    assert partnership.id is not None
    return sum(
        1
        for log in uow.sessions.logs(partnership.team_id, partnership.id)
        if log.outcome is SessionOutcome.MET
    )


def _fit_checks(uow: RhythmWork, partnership: Partnership, user_id: str) -> list[ProgressCheck]:
    """This person's fit answers in this pair, by round."""
    assert partnership.id is not None
    return sorted(
        (
            c
            for c in uow.progress.checks(partnership.team_id, partnership.id)
            if c.user_id == user_id and c.kind is CheckKind.FIT
        ),
        key=lambda c: c.round,
    )
