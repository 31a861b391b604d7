"""The term: its notice, extension and end with the final evaluation, and ending early."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.model.audit import AuditEvent
from bot.model.kinds import Kind
from bot.model.messages import PairPrompt
from bot.model.messages.rhythm import (
    CoordinatorEnded,
    PartnershipEnded,
    TermJob,
    TermNotice,
    YearInNumbers,
)
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import (
    GOALS_REACHED,
    Partnership,
    PartnershipStatus,
    partner_of,
    team_if_across,
    teams_if_across,
)
from bot.model.progress import MAX_NOTE, CheckKind, ProgressCheck
from bot.model.rules import ProgramRules
from bot.ports import (
    PartnershipEvents,
    ProgramRulesSource,
    Rematch,
    RhythmWork,
    cancel_for_pair,
    sent_for_pair,
)
from bot.rhythm.numbers import year_in_numbers
from bot.rhythm.part import RhythmPart, addressed, ask_both, member_zones, stamp
from bot.rhythm.plan import plan_pulse_round, plan_term
from bot.roster import Roster
from bot.when import zone

NUMBERS_FALLBACK = timedelta(days=3)  # the celebration comes even if the evaluation doesn't
NOTICE_WORDS = {7: "week", 14: "two weeks", 21: "three weeks", 28: "four weeks"}


class EndReason:
    """Why a partnership ended early: categories only, never blame."""

    CHOICES: tuple[tuple[str, str], ...] = (
        ("schedule", "Our schedules don't fit"),
        ("fit", "The fit isn't there"),
        ("role_change", "A role change"),
        (GOALS_REACHED, "We reached our goals"),
        ("other", "Something else"),
    )
    VALUES = frozenset(value for value, _ in CHOICES)

    @classmethod
    def label(cls, value: str) -> str:
        return dict(cls.CHOICES).get(value, value)


@dataclass(frozen=True)
class Ended:
    partnership: Partnership
    partner_id: str


class Term(RhythmPart):
    """The end of a partnership: on its term (notice, extension, final evaluation, the year
    in numbers) or early (by a partner or the program), the mentee rematched."""

    def __init__(
        self,
        *,
        uow: Callable[[], RhythmWork],
        clock: Clock,
        rules: ProgramRules,
        roster: Roster,
        programs: ProgramRulesSource,
        rematch: Rematch | None,
        events: PartnershipEvents,
    ) -> None:
        super().__init__(uow=uow, clock=clock, rules=rules, roster=roster, programs=programs)
        self._rematch = rematch
        self._events = events

    def term_notice(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        partnership = self._live(uow, message)
        if partnership is None or stamp(partnership.ends_at) != message.payload_as(TermJob).ends_at:
            return  # extended since: the new end planned its own notice
        assert partnership.id is not None
        ask_both(
            uow,
            partnership,
            kind=Kind.TERM_NOTICE,
            key=f"rhythm:{partnership.id}:term-notice:{stamp(partnership.ends_at)}",
            coalesce=f"term-notice:{partnership.id}",
            due_at=message.due_at,
            prompt=TermNotice(
                partnership_id=partnership.id,
                partner_id="",
                ends_at=partnership.ends_at,
                extension_days=self._rules.term_extension.days,
            ),
        )

    def term_end(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        partnership = self._live(uow, message)
        if partnership is None or stamp(partnership.ends_at) != message.payload_as(TermJob).ends_at:
            return
        self._complete(uow, partnership, now)

    def answer_final(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        rating: int,
        recommend: int,
        changed: str,
    ) -> ProgressCheck:
        if not 1 <= rating <= 5:
            raise DomainError("Pick an overall rating from 1 to 5.", field="rating")
        if not 0 <= recommend <= 10:
            raise DomainError("Pick a number from 0 to 10.", field="recommend")
        if len(changed) > MAX_NOTE:
            raise DomainError(f"Keep it under {MAX_NOTE} characters.", field="changed")
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id, ended_ok=True)
            if partnership.status is PartnershipStatus.ENDED:
                raise Conflict("This partnership ended before its term: there's no evaluation.")
            if partnership.live:
                self._in_last_weeks(uow, partnership, user_id, self._clock.now())
        check = self._save_answer(
            team_id=team_id,
            user_id=user_id,
            partnership_id=partnership_id,
            kind=CheckKind.FINAL,
            score=rating,
            answers={"recommend": recommend},
            note=changed.strip(),
            ended_ok=True,
            then=self._celebrate_now,
        )
        return check

    def year_in_numbers(self, team_id: str, user_id: str, partnership_id: int) -> YearInNumbers:
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id, ended_ok=True)
            return year_in_numbers(uow, partnership, user_id)

    def extend(self, *, team_id: str, user_id: str, partnership_id: int) -> Partnership:
        extension = self._rules.term_extension
        if extension <= timedelta(0):
            raise Conflict("This program doesn't extend partnerships; the program team can help.")
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id)
            if partnership.ends_at - now > self._rules.term_notice + timedelta(days=1):
                return partnership  # already extended (a double click, or the partner did)
            partnership.ends_at += extension
            uow.partnerships.save(partnership)
            cancel_for_pair(uow.outbox, partnership, f"rhythm:{partnership_id}:term-")
            rules = self._rules_of(uow, partnership)
            plan_term(uow, partnership, rules=rules)
            elapsed = max(timedelta(0), now - partnership.started_at)
            plan_pulse_round(uow, partnership, elapsed // rules.pulse_every + 1, rules=rules)
            uow.commit()
            return partnership

    def close_now(self, *, team_id: str, user_id: str, partnership_id: int) -> Partnership:
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id, ended_ok=True)
            if partnership.status is PartnershipStatus.ENDED:
                raise Conflict("This partnership has already ended.")
            if partnership.live:
                self._in_last_weeks(uow, partnership, user_id, now)
                self._complete(uow, partnership, now)
                uow.commit()
            return partnership

    def _in_last_weeks(
        self, uow: RhythmWork, partnership: Partnership, user_id: str, now: datetime
    ) -> None:
        """Closing as completed and the final evaluation belong to the term's last weeks
        (the notice offers them then): earlier, a crafted click would count a pair completed
        on day one and celebrate a year nobody had."""
        notice = self._rules_of(uow, partnership).term_notice
        opens = partnership.ends_at - notice
        if now >= opens:
            return
        local = opens.astimezone(zone(member_zones(uow, partnership)[user_id]))
        span = NOTICE_WORDS.get(notice.days, f"{notice.days} days")
        raise Conflict(
            f"This can only be done in the last {span} of the term, "
            f"from {local:%A} {local.day} {local:%B}."
        )

    def end(
        self, *, team_id: str, user_id: str, partnership_id: int, reason: str, note: str = ""
    ) -> Ended:
        """Either partner closes the partnership, without blame; the mentee is rematched."""
        if reason not in EndReason.VALUES:
            raise DomainError("Pick the reason closest to yours.", field="reason")
        if len(note) > MAX_NOTE:
            raise DomainError(f"Keep the note under {MAX_NOTE} characters.", field="note")
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id)
            self._close_early(uow, partnership, reason, now)
            partner = partner_of(partnership, user_id)
            self._tell_ended(uow, partnership, [partner], ended_by=user_id, now=now)
            self._events.finish(uow, partnership, partnership.members(), now)
            for coordinator in self._roster.of(uow, partnership.team_id):  # the program's
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=partnership.team_id,
                        kind=Kind.COORDINATOR_ENDED,
                        recipient=coordinator,
                        key=f"partnership:{partnership_id}:ended:coordinator:{coordinator}",
                        due_at=now,
                        payload=CoordinatorEnded(
                            partnership_id=partnership_id,
                            mentor_id=partnership.mentor_id,
                            mentee_id=partnership.mentee_id,
                            **teams_if_across(partnership),
                            ended_by=user_id,
                            reason=reason,
                            note=note.strip(),
                        ),
                    )
                )
            if self._rematch is not None:
                self._rematch(uow, partnership, now)
            uow.commit()
            return Ended(partnership=partnership, partner_id=partner)

    def close_for_program(
        self, *, team_id: str, coordinator_id: str, partnership_id: int, reason: str
    ) -> Partnership:
        """A coordinator closes a pair from the at-risk list: both partners are told kindly,
        the mentee is offered new mentors as when a partner ends it, and the audit log keeps
        who, when and the reason's category (there is no text to keep)."""
        if not self._roster.is_coordinator(team_id, coordinator_id):
            raise NotAllowed("Closing a partnership is for the program's coordinators.")
        if reason not in EndReason.VALUES:
            raise DomainError("Pick the reason closest to theirs.", field="reason")
        now = self._clock.now()
        with self._uow() as uow:
            partnership = uow.partnerships.get(team_id, partnership_id)
            if partnership is None or not partnership.live or partnership.team_id != team_id:
                raise NotFound("That partnership isn't running any more.")  # not the program's
            self._close_early(uow, partnership, reason, now)
            self._tell_ended(
                uow,
                partnership,
                partnership.members(),
                ended_by=coordinator_id,
                now=now,
                by_program=True,
            )
            self._events.finish(uow, partnership, partnership.members(), now)
            if self._rematch is not None:
                self._rematch(uow, partnership, now)
            uow.audit.add(
                AuditEvent(
                    team_id=team_id,
                    actor_id=coordinator_id,
                    action="pair.close",
                    subject=f"partnership:{partnership_id}",
                    at=now,
                    detail={"reason": reason},
                )
            )
            uow.commit()
            return partnership

    def _close_early(
        self, uow: RhythmWork, partnership: Partnership, reason: str, now: datetime
    ) -> None:
        """Ended before its term, by a partner or the program: nothing more is asked of them
        and no milestone of the term they will not finish is celebrated."""
        partnership.status = PartnershipStatus.ENDED
        partnership.ended_at = now
        partnership.end_reason = reason
        uow.partnerships.save(partnership)
        self._cancel_prompts(uow, partnership)
        self._events.close(uow, partnership, now)

    @staticmethod
    def _tell_ended(
        uow: RhythmWork,
        partnership: Partnership,
        recipients: Iterable[str],
        *,
        ended_by: str,
        now: datetime,
        by_program: bool = False,
    ) -> None:
        """The kind "your partnership has ended" note, once per recipient (keyed); from the
        program team when a coordinator closed it."""
        assert partnership.id is not None
        zones = member_zones(uow, partnership)
        for member in recipients:
            payload = PartnershipEnded(
                partnership_id=partnership.id,
                ended_by=ended_by,
                to_mentee=member == partnership.mentee_id,
                tz=zones[member],
                by_program=True if by_program else None,
                partner_id=partner_of(partnership, member) if by_program else None,
                goals_reached=True if partnership.end_reason == GOALS_REACHED else None,
                partner_team_id=team_if_across(partnership, partner_of(partnership, member)),
            )
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_of(member),
                    kind=Kind.PARTNERSHIP_ENDED,
                    recipient=member,
                    key=f"partnership:{partnership.id}:ended:{member}",
                    due_at=now,
                    payload=payload,
                )
            )

    def _celebrate_now(
        self, uow: RhythmWork, partnership: Partnership, user_id: str, now: datetime
    ) -> None:
        """The year in numbers right after the evaluation, instead of the later fallback."""
        prefix = f"rhythm:{partnership.id}:numbers:{user_id}"
        if any(m.key.startswith(prefix) for m in sent_for_pair(uow.outbox, partnership, prefix)):
            return
        cancel_for_pair(uow.outbox, partnership, prefix)
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_of(user_id),
                kind=Kind.YEAR_IN_NUMBERS,
                recipient=user_id,
                key=f"{prefix}:after-evaluation",
                due_at=now,
                coalesce_key=f"numbers:{partnership.id}:{user_id}",
                payload=addressed(
                    year_in_numbers(uow, partnership, user_id),
                    partnership,
                    user_id,
                    member_zones(uow, partnership),
                ),
            )
        )

    def _complete(self, uow: RhythmWork, partnership: Partnership, now: datetime) -> None:
        assert partnership.id is not None
        partnership.status = PartnershipStatus.COMPLETED
        partnership.ended_at = now
        partnership.end_reason = "completed"
        uow.partnerships.save(partnership)
        self._cancel_prompts(uow, partnership)
        if now < partnership.ends_at:  # closed at the term notice, before the end
            self._events.close(uow, partnership, now)
        self._events.finish(uow, partnership, partnership.members(), now)
        zones = member_zones(uow, partnership)
        for member in partnership.members():
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_of(member),
                    kind=Kind.FINAL_EVALUATION,
                    recipient=member,
                    key=f"rhythm:{partnership.id}:final:{member}",
                    due_at=now,
                    payload=addressed(
                        PairPrompt(partnership_id=partnership.id, partner_id=""),
                        partnership,
                        member,
                        zones,
                    ),
                )
            )
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_of(member),
                    kind=Kind.YEAR_IN_NUMBERS,
                    recipient=member,
                    key=f"rhythm:{partnership.id}:numbers:{member}",
                    due_at=now + NUMBERS_FALLBACK,
                    coalesce_key=f"numbers:{partnership.id}:{member}",
                    payload=addressed(
                        year_in_numbers(uow, partnership, member), partnership, member, zones
                    ),
                )
            )
