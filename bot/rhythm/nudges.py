"""Nudges for quiet pairs: no session met for a while, a kind word at each stage, and a
flag once the last stage passes; declared holidays are left alone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.errors import DomainError
from bot.model.kinds import Kind
from bot.model.messages.rhythm import QuietNudge
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership
from bot.model.progress import RiskSignal
from bot.model.sessions import SessionOutcome
from bot.ports import RhythmWork
from bot.rhythm.part import RhythmPart, addressed, member_zones, midnight, stamp
from bot.rhythm.plan import plan_quiet_check

QUIET_RECHECK = timedelta(days=7)  # after the last quiet stage: look again weekly


class QuietNudges(RhythmPart):
    """Pairs that stopped meeting: a nudge to the mentee, then both, then a flag."""

    def quiet_check(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        partnership = self._live(uow, message)
        if partnership is None:
            return
        assert partnership.id is not None
        if partnership.paused_at(now):
            assert partnership.paused_until is not None
            plan_quiet_check(uow, partnership, midnight(partnership.paused_until))
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
                    payload=addressed(
                        QuietNudge(
                            partnership_id=partnership.id,
                            partner_id="",
                            days=stage,
                            both=stage != days[0],
                            mentee=member == partnership.mentee_id,
                        ),
                        partnership,
                        member,
                        zones,
                    ),
                )
            )

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


def quiet_since(uow: RhythmWork, partnership: Partnership) -> datetime:
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
        since = max(since, midnight(partnership.paused_until))
    return since
