"""What the parts of the rhythm share: keys' time stamps, each partner's time zone, one
prompt to both partners, and the base of every part (its transaction, rules, flags)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from bot.clock import Clock
from bot.errors import Conflict, NotFound
from bot.model.kinds import Kind
from bot.model.messages import PairPrompt
from bot.model.messages.rhythm import AtRisk, PartnershipJob
from bot.model.messages.sessions import SessionMet
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership, partner_of, teams_if_across
from bot.model.progress import CheckKind, ProgressCheck, RiskFlag, RiskSignal
from bot.model.rules import ProgramRules
from bot.ports import ProgramRulesSource, RhythmWork, cancel_for_pair
from bot.roster import Roster

STAMP = "%Y%m%dT%H%MZ"
P = TypeVar("P", bound=PairPrompt)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime(STAMP)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def member_zones(uow: RhythmWork, partnership: Partnership) -> dict[str, str]:
    """Each partner's time zone, as Slack reported it when they offered or asked."""
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


def addressed(prompt: P, partnership: Partnership, member: str, zones: dict[str, str]) -> P:
    """``prompt`` made out to one partner: about the other, in their zone (quiet hours read
    it), tagged with the pair's program (whose hours apply) and, for a pair across
    workspaces, the program's workspace and the partner's."""
    across = partnership.across_workspaces
    partner = partner_of(partnership, member)
    return replace(
        prompt,
        partner_id=partner,
        tz=zones[member],
        program_id=partnership.program_id,
        program_team_id=partnership.team_id if across else None,
        partner_team_id=partnership.team_of(partner) if across else None,
    )


def ask_both(
    uow: RhythmWork,
    partnership: Partnership,
    *,
    kind: Kind,
    key: str,
    coalesce: str,
    due_at: datetime,
    prompt: PairPrompt,
) -> None:
    """The same prompt to each partner, in their own time zone, keyed and coalesced per
    person so a job run twice or late asks each of them once."""
    zones = member_zones(uow, partnership)
    for member in partnership.members():
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_of(member),
                kind=kind,
                recipient=member,
                key=f"{key}:{member}",
                due_at=due_at,
                coalesce_key=f"{coalesce}:{member}",
                payload=addressed(prompt, partnership, member, zones),
            )
        )


Celebrate = Callable[[RhythmWork, Partnership, str, datetime], None]


class RhythmPart:
    """What every part of the rhythm shares: the transaction, the clock, the rules of each
    pair's program, and the coordinators who hear about flags."""

    def __init__(
        self,
        *,
        uow: Callable[[], RhythmWork],
        clock: Clock,
        rules: ProgramRules,
        roster: Roster,
        programs: ProgramRulesSource,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules  # the workspace's; a pair's own program may differ (_rules_of)
        self._roster = roster
        self._programs = programs

    def _rules_of(self, uow: RhythmWork, partnership: Partnership) -> ProgramRules:
        return self._programs.rules(uow, partnership.team_id, partnership.program_id)

    @staticmethod
    def _live(uow: RhythmWork, message: OutgoingMessage) -> Partnership | None:
        job = message.payload
        if not isinstance(job, SessionMet):  # a session met: the ladder and fit check run too
            job = message.payload_as(PartnershipJob)
        partnership = uow.partnerships.get(message.team_id, job.partnership_id)
        if partnership is None or not partnership.live:
            return None
        return partnership

    @staticmethod
    def _member_of(
        uow: RhythmWork,
        team_id: str,
        user_id: str,
        partnership_id: int,
        *,
        ended_ok: bool = False,
    ) -> Partnership:
        partnership = uow.partnerships.get(team_id, partnership_id)
        if partnership is None or not partnership.includes(team_id, user_id):
            raise NotFound("I can't find that partnership.")
        if not partnership.live and not ended_ok:
            raise Conflict("This partnership has already ended.")
        return partnership

    @staticmethod
    def _cancel_prompts(uow: RhythmWork, partnership: Partnership) -> None:
        cancel_for_pair(uow.outbox, partnership, f"rhythm:{partnership.id}:")
        cancel_for_pair(uow.outbox, partnership, f"session:{partnership.id}:")

    def _save_answer(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        kind: CheckKind,
        score: int,
        answers: dict[str, Any],
        note: str,
        ended_ok: bool = False,
        then: Celebrate | None = None,
    ) -> ProgressCheck:
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id, ended_ok=ended_ok)
            team_id = partnership.team_id  # a check is the program's, whoever answers
            check = uow.progress.check(team_id, partnership_id, user_id, kind, 1) or (
                ProgressCheck(
                    team_id=team_id,
                    partnership_id=partnership_id,
                    user_id=user_id,
                    kind=kind,
                    round=1,
                    answered_at=now,
                )
            )
            check.score, check.answers, check.note, check.answered_at = score, answers, note, now
            uow.progress.save_check(check)
            if then is not None:
                then(uow, partnership, user_id, now)
            uow.commit()
            return check

    def _flag(
        self,
        uow: RhythmWork,
        partnership: Partnership,
        *,
        signal: RiskSignal,
        occasion: str,
        detail: str,
        now: datetime,
    ) -> bool:
        assert partnership.id is not None
        flag = RiskFlag(
            team_id=partnership.team_id,
            partnership_id=partnership.id,
            signal=signal,
            occasion=occasion,
            detail=detail,
            raised_at=now,
        )
        if not uow.progress.add_flag(flag):
            return False
        for coordinator in self._roster.of(uow, partnership.team_id):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.COORDINATOR_AT_RISK,
                    recipient=coordinator,
                    key=f"rhythm:{partnership.id}:risk:{signal.value}:{occasion}:{coordinator}",
                    due_at=now,
                    payload=AtRisk(
                        partnership_id=partnership.id,
                        mentor_id=partnership.mentor_id,
                        mentee_id=partnership.mentee_id,
                        **teams_if_across(partnership),
                        signal=signal.value,
                        detail=detail,
                    ),
                )
            )
        return True
