"""The program's rhythm: pulses, nudges for quiet pairs, at-risk flags, mid-term, term end.

Everything is planned in the outbox, never in memory. A partnership starts with a handful of
internal jobs (the first pulse round, the first quiet check, the mid-term review, the term
notice and the term end); each job plans its successor when it runs. Keys are unique per
partnership, round and person, so a job run twice (a crash after sending, a second replica)
plans and sends nothing twice. Prompts carry the recipient's time zone (``TZ_KEY``) so the
dispatcher holds them to working hours, and a ``coalesce_key`` per kind and person, so after
downtime only the newest prompt of a kind goes out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.journal.service import milestones_after_closing
from bot.model.audit import AuditEvent
from bot.model.dates import add_months
from bot.model.journal import GoalStatus
from bot.model.kinds import Kind
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import Partnership, PartnershipStatus, partner_of
from bot.model.programs import program_tag
from bot.model.progress import MAX_NOTE, CheckKind, ProgressCheck, RiskFlag, RiskSignal
from bot.model.rules import ProgramRules
from bot.model.sessions import SessionOutcome
from bot.outbox.quiet_hours import TZ_KEY
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.programs.service import ProgramService
from bot.roster import Roster

STAMP = "%Y%m%dT%H%MZ"
NUMBERS_FALLBACK = timedelta(days=3)  # the celebration comes even if the evaluation doesn't
QUIET_RECHECK = timedelta(days=7)  # after the last quiet stage: look again weekly

# Prompt kinds held to each person's working hours by the dispatcher. Answers to something a
# person just did (the partner ending, a session moved, new suggestions) are not held: they
# would arrive out of order with the suggestions that follow them.
PROMPT_KINDS: frozenset[str] = frozenset(
    {
        Kind.PULSE,
        Kind.QUIET_NUDGE,
        Kind.MIDTERM_REVIEW,
        Kind.GOAL_CHECK,
        Kind.TERM_NOTICE,
        Kind.FINAL_EVALUATION,
        Kind.YEAR_IN_NUMBERS,
        Kind.COORDINATOR_AT_RISK,
        Kind.COORDINATOR_ENDED,
    }
)


class EndReason:
    """Why a partnership ended early: categories only, never blame."""

    CHOICES: tuple[tuple[str, str], ...] = (
        ("schedule", "Our schedules don't fit"),
        ("fit", "The fit isn't there"),
        ("role_change", "A role change"),
        ("goals_reached", "We reached our goals"),
        ("other", "Something else"),
    )
    VALUES = frozenset(value for value, _ in CHOICES)

    @classmethod
    def label(cls, value: str) -> str:
        return dict(cls.CHOICES).get(value, value)


MIDTERM_RHYTHMS: tuple[tuple[str, str], ...] = (
    ("as_planned", "We meet as planned"),
    ("less_often", "Less often than planned"),
    ("rarely", "Rarely"),
)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime(STAMP)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def member_zones(uow: UnitOfWork, partnership: Partnership) -> dict[str, str]:
    """Each partner's time zone, as Slack reported it when they offered or asked."""
    mentor = uow.mentors.get(partnership.team_id, partnership.mentor_id)
    request = (
        uow.requests.get(partnership.team_id, partnership.request_id)
        if partnership.request_id is not None
        else None
    )
    return {
        partnership.mentor_id: mentor.tz if mentor else "",
        partnership.mentee_id: request.tz if request else "",
    }


def longest_streak(met_starts: list[datetime], *, gap: timedelta = timedelta(days=9)) -> int:
    """The longest run of sessions held with at most ``gap`` (a week and two days) between."""
    if not met_starts:
        return 0
    best = run = 1
    for older, newer in pairwise(sorted(met_starts)):
        run = run + 1 if newer - older <= gap else 1
        best = max(best, run)
    return best


@dataclass(frozen=True)
class PulseAnswer:
    check: ProgressCheck
    flagged: bool


@dataclass(frozen=True)
class PulseView:
    score: int | None
    noted: bool
    partner_id: str


@dataclass(frozen=True)
class MidtermSummary:
    """What coordinators see of the mid-term review: counts and averages, never text."""

    asked: int
    answered: int
    average_progress: float | None
    rhythms: dict[str, int]


@dataclass(frozen=True)
class Ended:
    partnership: Partnership
    partner_id: str


Rematch = Callable[[UnitOfWork, Partnership, datetime], None]


class RhythmService:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        rules: ProgramRules,
        rematch: Rematch | None = None,
        roster: Roster | None = None,
        programs: ProgramService | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules  # the workspace's; a pair's own program may differ (_rules_of)
        self._rematch = rematch
        self._roster = roster or Roster(uow=uow, rules=rules)
        self._programs = programs or ProgramService(uow=uow, clock=clock, rules=rules)

    def _rules_of(self, uow: UnitOfWork, partnership: Partnership) -> ProgramRules:
        return self._programs.rules(uow, partnership.team_id, partnership.program_id)

    # -- planning: called when a partnership starts ----------------------------------------

    def begin(self, uow: UnitOfWork, partnership: Partnership) -> None:
        """Plan a new partnership's rhythm in the transaction that creates it."""
        plan_program(uow, partnership, rules=self._rules_of(uow, partnership))

    def plan_missing(self) -> int:
        """Give every live partnership its rhythm if it has none (pairs matched before it
        existed). Safe at every start: planning is keyed, so planned pairs are left as they
        are. Returns how many pairs were looked at."""
        now = self._clock.now()
        with self._uow() as uow:
            live = uow.partnerships.live()
            for partnership in live:
                plan_program(uow, partnership, rules=self._rules_of(uow, partnership), now=now)
            uow.commit()
            return len(live)

    # -- jobs (run by the dispatcher, inside its transaction) -------------------------------

    def pulse_round(self, uow: UnitOfWork, message: OutgoingMessage, now: datetime) -> None:
        partnership = self._live(uow, message)
        if partnership is None:
            return
        assert partnership.id is not None
        round_no = int(message.payload["round"])
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
                        team_id=partnership.team_id,
                        kind=Kind.PULSE,
                        recipient=member,
                        key=f"rhythm:{partnership.id}:pulse:{round_no}:{member}",
                        due_at=at,
                        expires_at=at + rules.pulse_every,
                        coalesce_key=f"pulse:{partnership.id}:{member}",
                        payload={
                            "partnership_id": partnership.id,
                            "round": round_no,
                            "partner_id": partner_of(partnership, member),
                            TZ_KEY: zones[member],
                            **program_tag(partnership),
                        },
                    )
                )
        plan_pulse_round(uow, partnership, round_no + 1, rules=rules)

    def quiet_check(self, uow: UnitOfWork, message: OutgoingMessage, now: datetime) -> None:
        partnership = self._live(uow, message)
        if partnership is None:
            return
        assert partnership.id is not None
        if partnership.paused_at(now):
            assert partnership.paused_until is not None
            plan_quiet_check(uow, partnership, _midnight(partnership.paused_until))
            return
        since = quiet_since(uow, partnership)
        days = self._rules.quiet_nudge_days
        quiet_for = now - since
        reached = [d for d in days if quiet_for >= timedelta(days=d)]
        if not reached:
            plan_quiet_check(uow, partnership, since + timedelta(days=days[0]))
            return
        stage = reached[-1]
        reached_at = since + timedelta(days=stage)  # ordered as if nothing had been late
        later = [d for d in days if d > stage]
        if later:
            plan_quiet_check(uow, partnership, since + timedelta(days=later[0]))
        else:
            plan_quiet_check(uow, partnership, now + QUIET_RECHECK)
        occasion = f"{stamp(since)}"
        if stage == days[2]:
            self._flag(
                uow,
                partnership,
                signal=RiskSignal.QUIET,
                occasion=occasion,
                detail=f"no session logged as met for {stage} days",
                now=now,
            )
            return
        recipients = [partnership.mentee_id] if stage == days[0] else list(partnership.members())
        zones = member_zones(uow, partnership)
        for member in recipients:
            away = uow.sessions.preferences(partnership.team_id, member).away_until
            if away is not None and now.date() < away:
                continue  # on a declared holiday
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.QUIET_NUDGE,
                    recipient=member,
                    key=f"rhythm:{partnership.id}:quiet:{occasion}:d{stage}:{member}",
                    due_at=reached_at,
                    expires_at=reached_at + timedelta(days=7),
                    coalesce_key=f"nudge:{partnership.id}:{member}",
                    payload={
                        "partnership_id": partnership.id,
                        "partner_id": partner_of(partnership, member),
                        "days": stage,
                        "both": stage != days[0],
                        "mentee": member == partnership.mentee_id,
                        TZ_KEY: zones[member],
                        **program_tag(partnership),
                    },
                )
            )

    def midterm(self, uow: UnitOfWork, message: OutgoingMessage, now: datetime) -> None:
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
                    due_at=_midnight(partnership.paused_until),
                    payload={"partnership_id": partnership.id},
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
        )

    def goal_check(self, uow: UnitOfWork, message: OutgoingMessage, now: datetime) -> None:
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
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.GOAL_CHECK,
                recipient=mentee,
                key=f"rhythm:{partnership.id}:goal-check:{message.payload.get('months')}",
                due_at=message.due_at,
                coalesce_key=f"goal-check:{partnership.id}:{mentee}",
                payload={
                    "partnership_id": partnership.id,
                    "partner_id": partnership.mentor_id,
                    "months": message.payload.get("months"),
                    "goals": [
                        {"id": g.id, "text": g.text, "status": g.status.value, "note": g.note}
                        for g in goals
                    ],
                    TZ_KEY: zones[mentee],
                    **program_tag(partnership),
                },
            )
        )

    def term_notice(self, uow: UnitOfWork, message: OutgoingMessage, now: datetime) -> None:
        partnership = self._live(uow, message)
        if partnership is None or stamp(partnership.ends_at) != message.payload.get("ends_at"):
            return  # extended since: the new end planned its own notice
        assert partnership.id is not None
        ask_both(
            uow,
            partnership,
            kind=Kind.TERM_NOTICE,
            key=f"rhythm:{partnership.id}:term-notice:{stamp(partnership.ends_at)}",
            coalesce=f"term-notice:{partnership.id}",
            due_at=message.due_at,
            payload={
                "ends_at": partnership.ends_at.isoformat(),
                "extension_days": self._rules.term_extension.days,
            },
        )

    def term_end(self, uow: UnitOfWork, message: OutgoingMessage, now: datetime) -> None:
        partnership = self._live(uow, message)
        if partnership is None or stamp(partnership.ends_at) != message.payload.get("ends_at"):
            return
        self._complete(uow, partnership, now)

    # -- what people answer ----------------------------------------------------------------

    def answer_pulse(
        self, *, team_id: str, user_id: str, partnership_id: int, round_no: int, score: int
    ) -> PulseAnswer:
        if not 1 <= score <= 5:
            raise DomainError("Pick a number from 1 to 5.")
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id)
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
            check = uow.progress.check(team_id, partnership_id, user_id, CheckKind.PULSE, round_no)
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
                            payload={
                                **self._pair(partnership),
                                "signal": "shared",
                                "detail": "",
                                "author_id": user_id,
                                "shared_note": note,
                                TZ_KEY: self._rules.default_tz,
                            },
                        )
                    )
            uow.commit()
            return check

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
        check = self._save_answer(
            team_id=team_id,
            user_id=user_id,
            partnership_id=partnership_id,
            kind=CheckKind.FINAL,
            score=rating,
            answers={"recommend": recommend},
            note=changed.strip(),
            ended_ok=True,
            celebrate=True,
        )
        return check

    def year_in_numbers(self, team_id: str, user_id: str, partnership_id: int) -> dict[str, Any]:
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id, ended_ok=True)
            return year_in_numbers(uow, partnership, user_id)

    # -- the term: extend or close ---------------------------------------------------------

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
            uow.outbox.cancel(team_id, f"rhythm:{partnership_id}:term-")
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
                self._complete(uow, partnership, now)
                uow.commit()
            return partnership

    # -- ending early ----------------------------------------------------------------------

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
            for coordinator in self._roster.of(uow, team_id):
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=team_id,
                        kind=Kind.COORDINATOR_ENDED,
                        recipient=coordinator,
                        key=f"partnership:{partnership_id}:ended:coordinator:{coordinator}",
                        due_at=now,
                        payload={
                            **self._pair(partnership),
                            "ended_by": user_id,
                            "reason": reason,
                            "note": note.strip(),
                            TZ_KEY: self._rules.default_tz,
                        },
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
            if partnership is None or not partnership.live:
                raise NotFound("That partnership isn't running any more.")
            self._close_early(uow, partnership, reason, now)
            self._tell_ended(
                uow,
                partnership,
                partnership.members(),
                ended_by=coordinator_id,
                now=now,
                by_program=True,
            )
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
        self, uow: UnitOfWork, partnership: Partnership, reason: str, now: datetime
    ) -> None:
        """Ended before its term, by a partner or the program: nothing more is asked of them
        and no milestone of the term they will not finish is celebrated."""
        partnership.status = PartnershipStatus.ENDED
        partnership.ended_at = now
        partnership.end_reason = reason
        uow.partnerships.save(partnership)
        self._cancel_prompts(uow, partnership)
        milestones_after_closing(uow, partnership, now)

    @staticmethod
    def _tell_ended(
        uow: UnitOfWork,
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
            payload: dict[str, Any] = {
                "partnership_id": partnership.id,
                "ended_by": ended_by,
                "to_mentee": member == partnership.mentee_id,
                TZ_KEY: zones[member],
            }
            if by_program:
                payload["by_program"] = True
                payload["partner_id"] = partner_of(partnership, member)
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.PARTNERSHIP_ENDED,
                    recipient=member,
                    key=f"partnership:{partnership.id}:ended:{member}",
                    due_at=now,
                    payload=payload,
                )
            )

    # -- declared holidays -----------------------------------------------------------------

    def set_away(self, *, team_id: str, user_id: str, until: date | None) -> date | None:
        """No nudges for this person until ``until`` (None: back now)."""
        today = self._clock.now().date()
        if until is not None and until <= today:
            raise DomainError("Pick a date in the future, like `/mentor away 2026-08-31`.")
        if until is not None and until > today + timedelta(days=180):
            raise DomainError("Holidays last at most six months; `/mentor pause` pauses longer.")
        with self._uow() as uow:
            preferences = uow.sessions.preferences(team_id, user_id)
            preferences.away_until = until
            uow.sessions.save_preferences(preferences)
            uow.commit()
        return until

    # -- for coordinators (aggregates only) ------------------------------------------------

    def is_coordinator(self, user_id: str, *, team_id: str) -> bool:
        return self._roster.is_coordinator(team_id, user_id)

    def midterm_summary(self, team_id: str) -> MidtermSummary:
        with self._uow() as uow:
            answers = uow.progress.checks_of_kind(team_id, CheckKind.MIDTERM)
            asked = len(
                [m for m in uow.outbox.sent(team_id, "rhythm:") if m.kind == Kind.MIDTERM_REVIEW]
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

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _live(uow: UnitOfWork, message: OutgoingMessage) -> Partnership | None:
        partnership = uow.partnerships.get(message.team_id, int(message.payload["partnership_id"]))
        if partnership is None or not partnership.live:
            return None
        return partnership

    @staticmethod
    def _member_of(
        uow: UnitOfWork,
        team_id: str,
        user_id: str,
        partnership_id: int,
        *,
        ended_ok: bool = False,
    ) -> Partnership:
        partnership = uow.partnerships.get(team_id, partnership_id)
        if partnership is None or user_id not in partnership.members():
            raise NotFound("I can't find that partnership.")
        if not partnership.live and not ended_ok:
            raise Conflict("This partnership has already ended.")
        return partnership

    @staticmethod
    def _pair(partnership: Partnership) -> dict[str, Any]:
        return {
            "partnership_id": partnership.id,
            "mentor_id": partnership.mentor_id,
            "mentee_id": partnership.mentee_id,
        }

    @staticmethod
    def _cancel_prompts(uow: UnitOfWork, partnership: Partnership) -> None:
        uow.outbox.cancel(partnership.team_id, f"rhythm:{partnership.id}:")
        uow.outbox.cancel(partnership.team_id, f"session:{partnership.id}:")

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
        celebrate: bool = False,
    ) -> ProgressCheck:
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id, ended_ok=ended_ok)
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
            if celebrate:
                self._celebrate_now(uow, partnership, user_id, now)
            uow.commit()
            return check

    def _celebrate_now(
        self, uow: UnitOfWork, partnership: Partnership, user_id: str, now: datetime
    ) -> None:
        """The year in numbers right after the evaluation, instead of the later fallback."""
        prefix = f"rhythm:{partnership.id}:numbers:{user_id}"
        if any(m.key.startswith(prefix) for m in uow.outbox.sent(partnership.team_id, prefix)):
            return
        uow.outbox.cancel(partnership.team_id, prefix)
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.YEAR_IN_NUMBERS,
                recipient=user_id,
                key=f"{prefix}:after-evaluation",
                due_at=now,
                coalesce_key=f"numbers:{partnership.id}:{user_id}",
                payload={
                    **year_in_numbers(uow, partnership, user_id),
                    TZ_KEY: member_zones(uow, partnership)[user_id],
                    **program_tag(partnership),
                },
            )
        )

    def _complete(self, uow: UnitOfWork, partnership: Partnership, now: datetime) -> None:
        assert partnership.id is not None
        partnership.status = PartnershipStatus.COMPLETED
        partnership.ended_at = now
        partnership.end_reason = "completed"
        uow.partnerships.save(partnership)
        self._cancel_prompts(uow, partnership)
        if now < partnership.ends_at:  # closed at the term notice, before the end
            milestones_after_closing(uow, partnership, now)
        zones = member_zones(uow, partnership)
        for member in partnership.members():
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.FINAL_EVALUATION,
                    recipient=member,
                    key=f"rhythm:{partnership.id}:final:{member}",
                    due_at=now,
                    payload={
                        "partnership_id": partnership.id,
                        "partner_id": partner_of(partnership, member),
                        TZ_KEY: zones[member],
                        **program_tag(partnership),
                    },
                )
            )
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.YEAR_IN_NUMBERS,
                    recipient=member,
                    key=f"rhythm:{partnership.id}:numbers:{member}",
                    due_at=now + NUMBERS_FALLBACK,
                    coalesce_key=f"numbers:{partnership.id}:{member}",
                    payload={
                        **year_in_numbers(uow, partnership, member),
                        TZ_KEY: zones[member],
                        **program_tag(partnership),
                    },
                )
            )

    def _flag_unanswered(
        self,
        uow: UnitOfWork,
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

    def _flag(
        self,
        uow: UnitOfWork,
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
                    payload={
                        **self._pair(partnership),
                        "signal": signal.value,
                        "detail": detail,
                        TZ_KEY: self._rules.default_tz,
                    },
                )
            )
        return True


def _unanswered(uow: UnitOfWork, partnership: Partnership, member: str, round_no: int) -> bool:
    key = f"rhythm:{partnership.id}:pulse:{round_no}:{member}"
    if uow.outbox.status_of(partnership.team_id, key) is not MessageStatus.SENT:
        return False  # never reached them (paused, coalesced): not their silence
    assert partnership.id is not None
    answered = uow.progress.check(
        partnership.team_id, partnership.id, member, CheckKind.PULSE, round_no
    )
    return answered is None or answered.score is None


def quiet_since(uow: UnitOfWork, partnership: Partnership) -> datetime:
    """The start of the current quiet stretch: the last session met, the start, or a resume."""
    assert partnership.id is not None
    since = partnership.started_at
    met = [
        log.occurrence_start
        for log in uow.sessions.logs(partnership.team_id, partnership.id)
        if log.outcome is SessionOutcome.MET
    ]
    if met:
        since = max(since, *met)
    if partnership.paused_until is not None:  # resumed: the quiet clock restarts then
        since = max(since, _midnight(partnership.paused_until))
    return since


def year_in_numbers(uow: UnitOfWork, partnership: Partnership, user_id: str) -> dict[str, Any]:
    """A person's year, in numbers only: sessions, streak, goals reached, milestones."""
    assert partnership.id is not None
    met = [
        log.occurrence_start
        for log in uow.sessions.logs(partnership.team_id, partnership.id)
        if log.outcome is SessionOutcome.MET
    ]
    pulses = [
        c
        for c in uow.progress.checks(partnership.team_id, partnership.id)
        if c.user_id == user_id and c.kind is CheckKind.PULSE and c.score is not None
    ]
    end = partnership.ended_at or partnership.ends_at
    slot = uow.sessions.slot(partnership.team_id, partnership.id)
    every = timedelta(weeks=max(1, slot.every_weeks if slot else 1), days=2)
    return {
        "partnership_id": partnership.id,
        "partner_id": partner_of(partnership, user_id),
        "sessions": len(met),
        "longest_streak": longest_streak(met, gap=every),
        "weeks": max(0, (end - partnership.started_at).days // 7),
        "pulses_answered": len(pulses),
        "goals_done": sum(
            1
            for goal in uow.journal.goals(partnership.team_id, partnership.id)
            if goal.status is GoalStatus.DONE
        ),
        "milestones": uow.journal.count_milestones(partnership.team_id, partnership.id),
    }


# -- planning helpers, shared by the service and by whoever starts or resumes a pair -------


def ask_both(
    uow: UnitOfWork,
    partnership: Partnership,
    *,
    kind: Kind,
    key: str,
    coalesce: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
) -> None:
    """The same prompt to each partner, in their own time zone (quiet hours read it), keyed
    and coalesced per person so a job run twice or late asks each of them once."""
    zones = member_zones(uow, partnership)
    for member in partnership.members():
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=kind,
                recipient=member,
                key=f"{key}:{member}",
                due_at=due_at,
                coalesce_key=f"{coalesce}:{member}",
                payload={
                    "partnership_id": partnership.id,
                    "partner_id": partner_of(partnership, member),
                    **(payload or {}),
                    TZ_KEY: zones[member],
                    **program_tag(partnership),
                },
            )
        )


def _pulse_check(
    uow: UnitOfWork,
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


def plan_program(
    uow: UnitOfWork,
    partnership: Partnership,
    *,
    rules: ProgramRules,
    now: datetime | None = None,
) -> None:
    """Plan a partnership's rhythm; ``now`` when planning late (a pair older than the code),
    so a mid-term long past is not asked for out of the blue."""
    plan_pulse_round(uow, partnership, 1, rules=rules)
    plan_quiet_check(
        uow, partnership, partnership.started_at + timedelta(days=rules.quiet_nudge_days[0])
    )
    half = partnership.started_at + (partnership.ends_at - partnership.started_at) / 2
    if now is None or half > now - timedelta(days=14):
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.MIDTERM,
                recipient=partnership.mentee_id,
                key=f"rhythm:{partnership.id}:midterm-job",
                due_at=half,
                payload={"partnership_id": partnership.id},
            )
        )
    plan_term(uow, partnership, rules=rules)
    plan_goal_checks(uow, partnership, now=now)


QUARTERS = (3, 6, 9)


def plan_goal_checks(
    uow: UnitOfWork, partnership: Partnership, *, now: datetime | None = None
) -> None:
    """Each quarter of the term, the mentee looks at their goals (keyed: planning twice is once)."""
    for months in QUARTERS:
        due = datetime.combine(
            add_months(partnership.started_at.date(), months), partnership.started_at.timetz()
        )
        if due >= partnership.ends_at or (now is not None and due <= now):
            continue
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.GOAL_CHECK_DUE,
                recipient=partnership.mentee_id,
                key=f"rhythm:{partnership.id}:goal-check-job:{months}",
                due_at=due,
                payload={"partnership_id": partnership.id, "months": months},
            )
        )


def plan_pulse_round(
    uow: UnitOfWork, partnership: Partnership, round_no: int, *, rules: ProgramRules
) -> None:
    at = partnership.started_at + rules.pulse_every * round_no
    if at >= partnership.ends_at - rules.term_notice:
        return  # the term notice and the final evaluation take over from here
    uow.outbox.add(
        OutgoingMessage(
            team_id=partnership.team_id,
            kind=Kind.PULSE_ROUND,
            recipient=partnership.mentee_id,
            key=f"rhythm:{partnership.id}:pulse-job:{round_no}",
            due_at=at,
            payload={"partnership_id": partnership.id, "round": round_no},
        )
    )


def plan_quiet_check(uow: UnitOfWork, partnership: Partnership, at: datetime) -> None:
    uow.outbox.add(
        OutgoingMessage(
            team_id=partnership.team_id,
            kind=Kind.QUIET_CHECK,
            recipient=partnership.mentee_id,
            key=f"rhythm:{partnership.id}:quiet-check:{stamp(at)}",
            due_at=at,
            payload={"partnership_id": partnership.id},
        )
    )


def plan_term(uow: UnitOfWork, partnership: Partnership, *, rules: ProgramRules) -> None:
    ends = stamp(partnership.ends_at)
    for kind, name, at in (
        (Kind.TERM_NOTICE_DUE, "term-notice-job", partnership.ends_at - rules.term_notice),
        (Kind.TERM_END, "term-end-job", partnership.ends_at),
    ):
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=kind,
                recipient=partnership.mentee_id,
                key=f"rhythm:{partnership.id}:{name}:{ends}",
                due_at=at,
                payload={"partnership_id": partnership.id, "ends_at": ends},
            )
        )
