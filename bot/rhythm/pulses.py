"""Pulses: every fortnight each partner rates how it goes; low or missing answers raise a
flag for the coordinators, a shared note reaches them too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import DomainError
from bot.model.kinds import Kind
from bot.model.messages.rhythm import AtRisk, GoalCheck, GoalCheckDue, GoalLine, Pulse, PulseRound
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import Partnership, partner_of, teams_if_across
from bot.model.progress import MAX_NOTE, CheckKind, ProgressCheck, RiskSignal
from bot.ports import RhythmWork, status_for_member
from bot.rhythm.part import RhythmPart, addressed, member_zones, stamp
from bot.rhythm.plan import plan_pulse_round


@dataclass(frozen=True)
class PulseAnswer:
    check: ProgressCheck
    flagged: bool


@dataclass(frozen=True)
class PulseView:
    score: int | None
    noted: bool
    partner_id: str


class Pulses(RhythmPart):
    """The fortnightly pulse and the quarterly goal check: asked, answered, flagged."""

    def pulse_round(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        partnership = self._live(uow, message)
        if partnership is None:
            return
        assert partnership.id is not None
        round_no = message.payload_as(PulseRound).round
        rules = self._rules_of(uow, partnership)
        at = partnership.started_at + rules.pulse_every * round_no
        latest = (now - partnership.started_at) // rules.pulse_every
        if latest > round_no:
            # Downtime: later rounds are due already. Asking now about a fortnight that is
            # over would be a burst of stale prompts; the latest round asks for all of them.
            plan_pulse_round(uow, partnership, latest, rules=rules)
            return
        if not partnership.paused_at(now):
            zones = member_zones(uow, partnership)
            for member in partnership.members():
                self._flag_unanswered(uow, partnership, member, round_no, now)
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=partnership.team_of(member),
                        kind=Kind.PULSE,
                        recipient=member,
                        key=f"rhythm:{partnership.id}:pulse:{round_no}:{member}",
                        due_at=at,
                        expires_at=at + rules.pulse_every,
                        coalesce_key=f"pulse:{partnership.id}:{member}",
                        payload=addressed(
                            Pulse(partnership_id=partnership.id, partner_id="", round=round_no),
                            partnership,
                            member,
                            zones,
                        ),
                    )
                )
        plan_pulse_round(uow, partnership, round_no + 1, rules=rules)

    def goal_check(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: the quarterly goal check, to the mentee (who drives), if there are goals."""
        partnership = self._live(uow, message)
        if partnership is None or partnership.paused_at(now):
            return  # a paused quarter is skipped: the next one will ask
        assert partnership.id is not None
        goals = uow.journal.goals(partnership.team_id, partnership.id)
        if not goals:
            return  # nothing to look at: the pulse and the nudges cover the rest
        zones = member_zones(uow, partnership)
        mentee = partnership.mentee_id
        months = message.payload_as(GoalCheckDue).months
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_of(mentee),
                kind=Kind.GOAL_CHECK,
                recipient=mentee,
                key=f"rhythm:{partnership.id}:goal-check:{months}",
                due_at=message.due_at,
                coalesce_key=f"goal-check:{partnership.id}:{mentee}",
                payload=addressed(
                    GoalCheck(
                        partnership_id=partnership.id,
                        partner_id="",
                        months=months,
                        goals=tuple(
                            GoalLine(id=g.id, text=g.text, status=g.status, note=g.note)
                            for g in goals
                            if g.id is not None
                        ),
                    ),
                    partnership,
                    mentee,
                    zones,
                ),
            )
        )

    def answer_pulse(
        self, *, team_id: str, user_id: str, partnership_id: int, round_no: int, score: int
    ) -> PulseAnswer:
        if not 1 <= score <= 5:
            raise DomainError("Pick a number from 1 to 5.")
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id)
            team_id = partnership.team_id  # the answer is the program's, whoever gives it
            check = _pulse_check(
                uow, team_id, partnership_id, user_id=user_id, round_no=round_no, now=now
            )
            check.score, check.answered_at = score, now
            uow.progress.save_check(check)
            flagged = False
            if score <= 2:
                role = "mentee" if user_id == partnership.mentee_id else "mentor"
                flagged = self._flag(
                    uow,
                    partnership,
                    signal=RiskSignal.LOW_PULSE,
                    occasion=f"pulse{round_no}:{user_id}",
                    detail=f"the {role} rated the partnership {score}/5",
                    now=now,
                )
            uow.commit()
            return PulseAnswer(check=check, flagged=flagged)

    def pulse_check(
        self, *, team_id: str, user_id: str, partnership_id: int, round_no: int
    ) -> PulseView | None:
        """A person's own answer to one pulse, to redraw the message they answered in."""
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id, ended_ok=True)
            check = uow.progress.check(
                partnership.team_id, partnership_id, user_id, CheckKind.PULSE, round_no
            )
            if check is None:
                return None
            return PulseView(
                score=check.score,
                noted=bool(check.note),
                partner_id=partner_of(partnership, user_id),
            )

    def note_pulse(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        round_no: int,
        note: str,
        share: bool,
    ) -> ProgressCheck:
        """ "Anything in the way?": private unless ``share``, then the program team sees it."""
        note = note.strip()
        if not note:
            raise DomainError("Write a line or two, or close this window.", field="note")
        if len(note) > MAX_NOTE:
            raise DomainError(
                f"Keep it under {MAX_NOTE} characters (it has {len(note)}).", field="note"
            )
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id)
            team_id = partnership.team_id  # the answer is the program's, whoever gives it
            check = _pulse_check(
                uow, team_id, partnership_id, user_id=user_id, round_no=round_no, now=now
            )
            check.note, check.share = note, share
            uow.progress.save_check(check)
            if share:
                for coordinator in self._roster.of(uow, team_id):
                    uow.outbox.add(
                        OutgoingMessage(
                            team_id=team_id,
                            kind=Kind.COORDINATOR_AT_RISK,
                            recipient=coordinator,
                            key=f"rhythm:{partnership_id}:shared:{round_no}:{user_id}:"
                            f"{stamp(now)}:{coordinator}",
                            due_at=now,
                            payload=AtRisk(
                                partnership_id=partnership_id,
                                mentor_id=partnership.mentor_id,
                                mentee_id=partnership.mentee_id,
                                **teams_if_across(partnership),
                                signal="shared",
                                detail="",
                                author_id=user_id,
                                shared_note=note,
                            ),
                        )
                    )
            uow.commit()
            return check

    def _flag_unanswered(
        self,
        uow: RhythmWork,
        partnership: Partnership,
        member: str,
        round_no: int,
        now: datetime,
    ) -> None:
        """Two pulses in a row without an answer (flagged once per run of silence)."""
        if round_no < 3:
            return
        silent = [_unanswered(uow, partnership, member, k) for k in (round_no - 1, round_no - 2)]
        earlier = round_no >= 4 and _unanswered(uow, partnership, member, round_no - 3)
        if all(silent) and not earlier:
            role = "mentee" if member == partnership.mentee_id else "mentor"
            self._flag(
                uow,
                partnership,
                signal=RiskSignal.UNANSWERED_PULSES,
                occasion=f"pulse{round_no - 1}:{member}",
                detail=f"the {role} left two pulses in a row unanswered",
                now=now,
            )


def _unanswered(uow: RhythmWork, partnership: Partnership, member: str, round_no: int) -> bool:
    key = f"rhythm:{partnership.id}:pulse:{round_no}:{member}"
    if status_for_member(uow.outbox, partnership, member, key) is not MessageStatus.SENT:
        return False  # never reached them (paused, coalesced): not their silence
    assert partnership.id is not None
    answered = uow.progress.check(
        partnership.team_id, partnership.id, member, CheckKind.PULSE, round_no
    )
    return answered is None or answered.score is None


def _pulse_check(
    uow: RhythmWork,
    team_id: str,
    partnership_id: int,
    *,
    user_id: str,
    round_no: int,
    now: datetime,
) -> ProgressCheck:
    """This person's answer to a pulse round so far, or a fresh one to fill in."""
    return uow.progress.check(
        team_id, partnership_id, user_id, CheckKind.PULSE, round_no
    ) or ProgressCheck(
        team_id=team_id,
        partnership_id=partnership_id,
        user_id=user_id,
        kind=CheckKind.PULSE,
        round=round_no,
        answered_at=now,
    )
