"""The exit survey: after every ending, each partner still in the program is asked three short
things: how it was (1-5), whether they would take part again, and, if they like, a note for
the program team.

It is planned in the ending's own transaction (a ``PartnershipEvents.finished`` hook), keyed
by partnership and person, so an ending handled twice asks once. The answers are a
``ProgressCheck`` of kind ``EXIT`` that belongs to its author: coordinators see counts and
averages of five or more (``bot.coordination.outcomes``), and the note only when its author
sends it to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotFound
from bot.model.erasure import is_erased
from bot.model.kinds import Kind
from bot.model.messages.closing import ExitNote, ExitSurvey
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership, partner_of, team_if_across
from bot.model.progress import MAX_NOTE, CheckKind, ProgressCheck
from bot.ports import ClosingWork, SuggestWork
from bot.roster import Roster

EXIT_PREFIX = "closing:"


class Again(StrEnum):
    """Would you take part in the program again?"""

    YES = "yes"
    MAYBE = "maybe"
    NO = "no"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "maybe": "Maybe", "no": "No"}[self.value]


def plan_exit_survey(
    uow: SuggestWork, partnership: Partnership, members: tuple[str, ...], now: datetime
) -> None:
    """``PartnershipEvents.finished``: the survey to each of ``members``, in their own time
    zone (held to their working hours). The partner is named only if they are still in the
    program (an erased partner is not among ``members``)."""
    assert partnership.id is not None
    zones = _zones(uow, partnership)
    across = partnership.across_workspaces
    for member in members:
        partner = partner_of(partnership, member)
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_of(member),
                kind=Kind.EXIT_SURVEY,
                recipient=member,
                key=f"{EXIT_PREFIX}{partnership.id}:exit-survey:{member}",
                due_at=now,
                coalesce_key=f"exit-survey:{partnership.id}:{member}",
                payload=ExitSurvey(
                    partnership_id=partnership.id,
                    partner_id=partner if partner in members else "",
                    completed=partnership.end_reason == "completed",
                    tz=zones.get(member, ""),
                    program_id=partnership.program_id,
                    program_team_id=partnership.team_id if across else None,
                    partner_team_id=partnership.team_of(partner) if across else None,
                ),
            )
        )


def _named(partnership: Partnership, user_id: str) -> str:
    """The partner, or "" where they were erased (a placeholder names nobody)."""
    partner = partner_of(partnership, user_id)
    return "" if is_erased(partner) else partner


def _zones(uow: SuggestWork, partnership: Partnership) -> dict[str, str]:
    mentor = uow.mentors.get(partnership.mentor_team_id, partnership.mentor_id)
    request = (
        uow.requests.get(partnership.mentee_team_id, partnership.request_id)
        if partnership.request_id is not None
        else None
    )
    return {
        partnership.mentor_id: mentor.tz if mentor else "",
        partnership.mentee_id: request.tz if request else "",
    }


@dataclass(frozen=True)
class ExitAnswer:
    """Where someone's survey stands, for the message to redraw itself."""

    check: ProgressCheck
    partner_id: str  # "" if the partner left the program

    @property
    def again(self) -> Again | None:
        value = str(self.check.answers.get("again") or "")
        return Again(value) if value in {a.value for a in Again} else None


class ExitSurveys:
    def __init__(self, *, uow: Callable[[], ClosingWork], clock: Clock, roster: Roster) -> None:
        self._uow = uow
        self._clock = clock
        self._roster = roster

    def rate(self, *, team_id: str, user_id: str, partnership_id: int, score: int) -> ExitAnswer:
        if not 1 <= score <= 5:
            raise DomainError("Pick a number from 1 to 5.", field="score")
        return self._answer(team_id, user_id, partnership_id, score=score)

    def again(self, *, team_id: str, user_id: str, partnership_id: int, answer: str) -> ExitAnswer:
        try:
            again = Again(answer)
        except ValueError:
            raise DomainError("Pick yes, maybe or no.", field="again") from None
        return self._answer(team_id, user_id, partnership_id, again=again)

    def note(
        self, *, team_id: str, user_id: str, partnership_id: int, note: str, send: bool
    ) -> ExitAnswer:
        """Keep the note with the answers; with ``send``, the program team gets it too (a DM
        to each coordinator, naming its author: they chose to be heard)."""
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise DomainError(f"Keep it under {MAX_NOTE} characters.", field="note")
        if send and not note:
            raise DomainError("Write the note you'd like the team to read.", field="note")
        return self._answer(team_id, user_id, partnership_id, note=note, send=send)

    def answer_of(self, *, team_id: str, user_id: str, partnership_id: int) -> ExitAnswer:
        with self._uow() as uow:
            partnership = self._ended(uow, team_id, user_id, partnership_id)
            team_id = partnership.team_id  # the answers are the program's
            check = uow.progress.check(team_id, partnership_id, user_id, CheckKind.EXIT, 1)
            return ExitAnswer(
                check=check or self._blank(team_id, user_id, partnership_id),
                partner_id=_named(partnership, user_id),
            )

    def _answer(
        self,
        team_id: str,
        user_id: str,
        partnership_id: int,
        *,
        score: int | None = None,
        again: Again | None = None,
        note: str | None = None,
        send: bool = False,
    ) -> ExitAnswer:
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._ended(uow, team_id, user_id, partnership_id)
            team_id = partnership.team_id  # the answers are the program's
            check = uow.progress.check(
                team_id, partnership_id, user_id, CheckKind.EXIT, 1
            ) or self._blank(team_id, user_id, partnership_id)
            if score is not None:
                check.score = score
            if again is not None:
                check.answers = {**check.answers, "again": again.value}
            if note is not None:
                check.note = note
                check.share = check.share or send
            check.answered_at = now
            uow.progress.save_check(check)
            if note and send:
                self._send_note(uow, partnership, user_id, note, now)
            uow.commit()
            return ExitAnswer(check=check, partner_id=_named(partnership, user_id))

    def _send_note(
        self, uow: ClosingWork, partnership: Partnership, user_id: str, note: str, now: datetime
    ) -> None:
        for coordinator in self._roster.of(uow, partnership.team_id):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.EXIT_NOTE_TO_TEAM,
                    recipient=coordinator,
                    key=(
                        f"{EXIT_PREFIX}{partnership.id}:exit-note:{user_id}:"
                        f"{now.isoformat()}:{coordinator}"
                    ),
                    due_at=now,
                    payload=ExitNote(
                        partnership_id=partnership.id or 0,
                        author_id=user_id,
                        note=note,
                        author_team_id=team_if_across(partnership, user_id),
                    ),
                )
            )

    def _blank(self, team_id: str, user_id: str, partnership_id: int) -> ProgressCheck:
        return ProgressCheck(
            team_id=team_id,
            partnership_id=partnership_id,
            user_id=user_id,
            kind=CheckKind.EXIT,
            round=1,
            answered_at=self._clock.now(),
        )

    @staticmethod
    def _ended(uow: ClosingWork, team_id: str, user_id: str, partnership_id: int) -> Partnership:
        partnership = uow.partnerships.get(team_id, partnership_id)
        if partnership is None or not partnership.includes(team_id, user_id):
            raise NotFound("I can't find that partnership.")
        if partnership.live:
            raise Conflict("This partnership is still running: the survey comes at its end.")
        return partnership
