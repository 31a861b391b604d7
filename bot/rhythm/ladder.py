"""The ladder for quiet pairs: no session met for a while, one rung at a time, each planned
once in the outbox (keyed by the quiet stretch), in working hours, cancelled the moment a
session is met.

The rungs come from the pair's program (``ProgramRules.quiet_ladder``, in days): the mentee,
who drives, with Schedule / We met / Pause; then both, with a time proposed from their
overlapping working hours; then the coordinators (a flag); then both are asked to pause,
continue or close, and with no answer in a week the coordinators are asked to decide. A pair
is never closed silently. Time away (``/mentor away``) and paused time are never quiet time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.errors import DomainError, NotFound
from bot.model.kinds import Kind
from bot.model.messages.rhythm import (
    CoordinatorQuietDecision,
    QuietDecision,
    QuietDecisionDue,
    QuietNudge,
)
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership, teams_if_across
from bot.model.progress import QuietRung, RiskFlag, RiskSignal
from bot.model.rules import ProgramRules
from bot.model.sessions import SessionOutcome
from bot.ports import RhythmWork, cancel_for_pair, record_audit
from bot.rhythm.away import back_of, returned_at
from bot.rhythm.part import RhythmPart, addressed, member_zones, midnight, stamp
from bot.rhythm.plan import plan_quiet_check
from bot.when import zone

RUNGS = (QuietRung.MENTEE, QuietRung.BOTH, QuietRung.PROGRAM, QuietRung.DECIDE)
NUDGE_EXPIRES = timedelta(days=7)
PROPOSAL_SEARCH = timedelta(days=8)  # how far ahead a time both can make is looked for


class QuietLadder(RhythmPart):
    """Pairs that stopped meeting: a rung at a time, until they meet, pause, go on or close."""

    def quiet_check(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: where the pair stands; the rung reached now, and the next check planned."""
        partnership = self._live(uow, message)
        if partnership is None:
            return
        if partnership.paused_at(now):
            assert partnership.paused_until is not None
            self._set_rung(uow, partnership, QuietRung.NONE)
            plan_quiet_check(uow, partnership, midnight(partnership.paused_until))
            return
        back = back_of(uow, partnership, now)
        if back is not None:  # away: nothing to either of them; the clock restarts on return
            plan_quiet_check(uow, partnership, midnight(back))
            return
        rules = self._rules_of(uow, partnership)
        since = quiet_since(uow, partnership)
        days = rules.quiet_ladder
        reached = [n for n, d in enumerate(days) if now - since >= timedelta(days=d)]
        if not reached:
            self._set_rung(uow, partnership, QuietRung.NONE)
            plan_quiet_check(uow, partnership, since + timedelta(days=days[0]))
            return
        step = reached[-1]
        reached_at = since + timedelta(days=days[step])  # as if nothing had been late
        if step + 1 < len(days):
            plan_quiet_check(uow, partnership, since + timedelta(days=days[step + 1]))
        rung = RUNGS[step]
        if partnership.quiet_rung != QuietRung.PROGRAM_DECIDES:
            self._set_rung(uow, partnership, rung)
        if rung is QuietRung.PROGRAM:
            self._flag(
                uow,
                partnership,
                signal=RiskSignal.QUIET,
                occasion=stamp(since),
                detail=f"no session logged as met for {days[step]} days",
                now=now,
            )
        elif rung is QuietRung.DECIDE:
            self._ask_to_decide(uow, partnership, since=since, days=days[step], now=now)
        else:
            self._nudge(uow, partnership, rules, since=since, days=days[step], at=reached_at)

    def _nudge(
        self,
        uow: RhythmWork,
        partnership: Partnership,
        rules: ProgramRules,
        *,
        since: datetime,
        days: int,
        at: datetime,
    ) -> None:
        """The mentee at the first rung, both at the second, with a time both can make."""
        assert partnership.id is not None
        both = days != rules.quiet_ladder[0]
        recipients = list(partnership.members()) if both else [partnership.mentee_id]
        zones = member_zones(uow, partnership)
        proposed = (
            propose_time(
                list(zones.values()), rules, after=max(at, self._clock.now()) + timedelta(days=1)
            )
            if both
            else None
        )
        for member in recipients:
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_of(member),
                    kind=Kind.QUIET_NUDGE,
                    recipient=member,
                    key=f"rhythm:{partnership.id}:quiet:{stamp(since)}:d{days}:{member}",
                    due_at=at,
                    expires_at=at + NUDGE_EXPIRES,
                    coalesce_key=f"nudge:{partnership.id}:{member}",
                    payload=addressed(
                        QuietNudge(
                            partnership_id=partnership.id,
                            partner_id="",
                            days=days,
                            both=both,
                            mentee=member == partnership.mentee_id,
                            proposed=proposed,
                            minutes=rules.default_session_minutes,
                        ),
                        partnership,
                        member,
                        zones,
                    ),
                )
            )

    def _ask_to_decide(
        self,
        uow: RhythmWork,
        partnership: Partnership,
        *,
        since: datetime,
        days: int,
        now: datetime,
    ) -> None:
        """Both: pause, continue or close? A week later, unanswered, the program decides."""
        assert partnership.id is not None
        occasion = stamp(since)
        reached_at = since + timedelta(days=days)
        zones = member_zones(uow, partnership)
        for member in partnership.members():
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_of(member),
                    kind=Kind.QUIET_DECISION,
                    recipient=member,
                    key=f"rhythm:{partnership.id}:quiet:{occasion}:decide:{member}",
                    due_at=reached_at,
                    coalesce_key=f"quiet-decision:{partnership.id}:{member}",
                    payload=addressed(
                        QuietDecision(partnership_id=partnership.id, partner_id="", days=days),
                        partnership,
                        member,
                        zones,
                    ),
                )
            )
        rules = self._rules_of(uow, partnership)
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.QUIET_DECISION_DUE,
                recipient=partnership.mentee_id,
                key=f"rhythm:{partnership.id}:quiet:{occasion}:decide-job",
                due_at=max(reached_at, now) + timedelta(days=rules.quiet_decide_days),
                payload=QuietDecisionDue(partnership_id=partnership.id, since=occasion, days=days),
            )
        )

    def quiet_decision_due(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: a week after "pause, continue or close?", nobody chose: the coordinators are
        asked to decide (a flag, so the pair is on their Home with its buttons)."""
        partnership = self._live(uow, message)
        if partnership is None or partnership.paused_at(now):
            return
        if partnership.quiet_rung != QuietRung.DECIDE:
            return  # they chose, met or paused since
        job = message.payload_as(QuietDecisionDue)
        since = stamp(quiet_since(uow, partnership))
        if since != job.since:
            return
        self._set_rung(uow, partnership, QuietRung.PROGRAM_DECIDES)
        assert partnership.id is not None
        raised = uow.progress.add_flag(
            RiskFlag(
                team_id=partnership.team_id,
                partnership_id=partnership.id,
                signal=RiskSignal.QUIET_UNDECIDED,
                occasion=since,
                detail="no answer to pause, continue or close after a quiet stretch",
                raised_at=now,
            )
        )
        if not raised:
            return
        for coordinator in self._roster.of(uow, partnership.team_id):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.COORDINATOR_QUIET_DECISION,
                    recipient=coordinator,
                    key=f"rhythm:{partnership.id}:quiet:{since}:program:{coordinator}",
                    due_at=now,
                    payload=CoordinatorQuietDecision(
                        partnership_id=partnership.id,
                        mentor_id=partnership.mentor_id,
                        mentee_id=partnership.mentee_id,
                        **teams_if_across(partnership),
                        days=job.days,
                        tz=self._rules.default_tz,
                    ),
                )
            )

    def go_on(self, *, team_id: str, user_id: str, partnership_id: int) -> Partnership:
        """ "We'll continue" (a partner), or "Let them continue" (a coordinator): the quiet
        clock restarts now and the ladder begins again from its first rung."""
        now = self._clock.now()
        with self._uow() as uow:
            partnership = uow.partnerships.get(team_id, partnership_id)
            if partnership is None or not partnership.live:
                raise NotFound("That partnership isn't running any more.")
            member = partnership.includes(team_id, user_id)
            coordinator = team_id == partnership.team_id  # the program's, not a member's
            if not member and not (coordinator and self._roster.is_coordinator(team_id, user_id)):
                raise NotFound("I can't find that partnership.")
            self._restart(uow, partnership, now)
            if not member:
                record_audit(
                    uow.audit,
                    team_id=team_id,
                    actor=user_id,
                    action="pair.continue",
                    subject=f"partnership:{partnership_id}",
                    at=now,
                )
            uow.commit()
            return partnership

    def session_met(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        """Job (with the journal's): a session met ends the quiet stretch at once."""
        partnership = self._live(uow, message)
        if partnership is None:
            return
        self._restart(uow, partnership, None)

    def _restart(self, uow: RhythmWork, partnership: Partnership, at: datetime | None) -> None:
        """A new quiet stretch: rungs not yet sent are cancelled, the next check planned."""
        if at is not None:
            partnership.quiet_since = at
        partnership.quiet_rung = QuietRung.NONE
        uow.partnerships.save(partnership)
        cancel_for_pair(uow.outbox, partnership, f"rhythm:{partnership.id}:quiet:")
        cancel_for_pair(uow.outbox, partnership, f"rhythm:{partnership.id}:quiet-check:")
        first = self._rules_of(uow, partnership).quiet_ladder[0]
        plan_quiet_check(uow, partnership, quiet_since(uow, partnership) + timedelta(days=first))

    @staticmethod
    def _set_rung(uow: RhythmWork, partnership: Partnership, rung: QuietRung) -> None:
        if partnership.quiet_rung != rung:
            partnership.quiet_rung = rung
            uow.partnerships.save(partnership)

    def set_away(self, *, team_id: str, user_id: str, until: date | None) -> date | None:
        """Nothing the bot starts reaches this person until ``until`` (None: back now)."""
        today = self._clock.now().date()
        if until is not None and until <= today:
            raise DomainError("Pick a date in the future, like `/mentor away 2026-08-31`.")
        if until is not None and until > today + timedelta(days=180):
            raise DomainError("Holidays last at most six months; `/mentor pause` pauses longer.")
        with self._uow() as uow:
            preferences = uow.sessions.preferences(team_id, user_id)
            if until is None and preferences.away_until is not None:
                # back early: today is their return, where the quiet clock restarts
                until = min(preferences.away_until, today)
                preferences.away_until = until
            elif until is not None:
                preferences.away_until = until
            uow.sessions.save_preferences(preferences)
            uow.commit()
        return until if until is not None and until > today else None


def quiet_since(uow: RhythmWork, partnership: Partnership) -> datetime:
    """The start of the current quiet stretch: the start, the last session met, a resume, a
    decision to go on, or either partner's return from a holiday, whichever came last."""
    assert partnership.id is not None
    since = partnership.started_at
    met = [
        log.occurrence_start
        for log in uow.sessions.logs(partnership.team_id, partnership.id)
        if log.outcome is SessionOutcome.MET
    ]
    if met:  # "the first Monday of each month": quiet is past the rule's longest wait
        slot = uow.sessions.slot(partnership.team_id, partnership.id)
        if slot is not None:
            met = [max(met) + max(timedelta(0), slot.longest_gap() - timedelta(weeks=1))]
    marks = [*met, partnership.quiet_since, returned_at(uow, partnership)]
    if partnership.paused_until is not None:  # resumed: the quiet clock restarts then
        marks.append(midnight(partnership.paused_until))
    return max([since, *(m for m in marks if m is not None)])


def propose_time(zones: list[str], rules: ProgramRules, *, after: datetime) -> datetime | None:
    """The first half hour from ``after`` when a session fits everyone's working day (the
    program's hours, in each person's own zone), or None if their days never overlap."""
    minutes = timedelta(minutes=rules.default_session_minutes)
    start = after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    end_of_day = time(rules.workday_end_hour) if rules.workday_end_hour < 24 else time.max
    step = timedelta(minutes=30)
    at = start
    while at < start + PROPOSAL_SEARCH:
        if all(_fits(at, at + minutes, tz, rules, end_of_day) for tz in zones):
            return at
        at += step
    return None


def _fits(start: datetime, end: datetime, tz: str, rules: ProgramRules, end_of_day: time) -> bool:
    local_start = start.astimezone(zone(tz or rules.default_tz))
    local_end = end.astimezone(zone(tz or rules.default_tz))
    if rules.weekends_off and local_start.weekday() >= 5:
        return False
    return (
        local_start.date() == local_end.date()
        and local_start.time() >= time(rules.workday_start_hour)
        and local_end.time() <= end_of_day
    )
