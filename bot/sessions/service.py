"""Weekly sessions as a service: set the slot, skip, move, pause, resume, and the log.

Every change replans the partnership's next occurrence in the same transaction: reminders
before it, "did you meet?" after it, and a job at its end that plans the one after.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotFound
from bot.model.kinds import Kind
from bot.model.messages.sessions import (
    PlanNextSession,
    SessionChanged,
    SessionInvite,
    SessionMet,
    SessionSet,
)
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership, PartnershipStatus, partner_of
from bot.model.rules import OneProgram, ProgramRules
from bot.model.sessions import (
    MemberPreferences,
    Occurrence,
    SessionLog,
    SessionOutcome,
    SessionSlot,
)
from bot.ports import PartnershipEvents, ProgramRulesSource, SessionsWork
from bot.sessions.access import (
    live_partnerships,
    member_of,
    member_zones,
    partnership_for,
    slot_of,
)
from bot.sessions.planning import parse_stamp, plan_occurrence, replan, stamp
from bot.sessions.results import Preview, Recorded, SlotChange
from bot.sessions.rules import allowed_length, in_zone_of, slot_for
from bot.when import SessionTime

__all__ = [
    "Preview",
    "Recorded",
    "SessionService",
    "SlotChange",
    "default_preferences",
    "parse_stamp",
]


class SessionService:
    def __init__(
        self,
        *,
        uow: Callable[[], SessionsWork],
        clock: Clock,
        rules: ProgramRules,
        programs: ProgramRulesSource | None = None,
        events: PartnershipEvents | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules
        self._programs = programs or OneProgram(rules)
        self._events = events or PartnershipEvents()

    def partnership_for(
        self, team_id: str, user_id: str, partner_id: str | None = None
    ) -> Partnership:
        with self._uow() as uow:
            return partnership_for(uow, team_id, user_id, partner_id)

    def membership(self, team_id: str, user_id: str, partnership_id: int) -> Partnership:
        """The partnership, if ``user_id`` is in it and it is still going; else NotFound."""
        with self._uow() as uow:
            return member_of(uow, team_id, user_id, partnership_id)

    def slot(self, team_id: str, partnership_id: int) -> SessionSlot | None:
        with self._uow() as uow:
            return uow.sessions.slot(team_id, partnership_id)

    def held(self, team_id: str, partnership_id: int) -> int:
        """Sessions held: the number streaks, milestones and program health build on."""
        with self._uow() as uow:
            return sum(
                1
                for log in uow.sessions.logs(team_id, partnership_id)
                if log.outcome is SessionOutcome.MET
            )

    def zone_of(self, team_id: str, user_id: str, partnership_id: int) -> str:
        """The person's zone as the database knows it, for a form submitted before Slack's
        answer reached it: their profile or request, the slot's, else the program's."""
        with self._uow() as uow:
            partnership = member_of(uow, team_id, user_id, partnership_id)
            known = member_zones(uow, partnership).get(user_id)
            slot = uow.sessions.slot(team_id, partnership_id)
            if known:
                return known
            if slot is not None and slot.set_by == user_id:
                return slot.tz
            return self._programs.rules(uow, team_id, partnership.program_id).default_tz

    def rules_of(self, team_id: str, partnership: Partnership) -> ProgramRules:
        """The rules of the pair's program: its session lengths, for the schedule form."""
        return self._programs.rules_for(team_id, partnership.program_id)

    def preview(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        when: SessionTime,
        minutes: int,
    ) -> Preview:
        """What saving would give, saved nowhere: the confirmation shows it first."""
        now = self._clock.now()
        with self._uow() as uow:
            partnership = member_of(uow, team_id, user_id, partnership_id)
            rules = self._programs.rules(uow, team_id, partnership.program_id)
            minutes = allowed_length(when, minutes, rules, now)
            slot = slot_for(team_id, partnership_id, when, minutes=minutes, user_id=user_id)
            upcoming = slot.next_occurrence(now)
            if upcoming is not None and upcoming.start > partnership.ends_at:
                upcoming = None
            return Preview(slot=slot, next=upcoming, ends_at=partnership.ends_at)

    def set_time(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        when: SessionTime,
        minutes: int,
    ) -> SlotChange:
        now = self._clock.now()
        with self._uow() as uow:
            partnership = member_of(uow, team_id, user_id, partnership_id)
            rules = self._programs.rules(uow, team_id, partnership.program_id)
            minutes = allowed_length(when, minutes, rules, now)
            slot = uow.sessions.slot(team_id, partnership_id, for_update=True)
            if slot is None:
                slot = slot_for(team_id, partnership_id, when, minutes=minutes, user_id=user_id)
                slot.version, slot.created_at = 0, now
            slot.apply(when, duration_minutes=minutes, set_by=user_id)
            slot.updated_at = now
            slot = uow.sessions.save_slot(slot)
            upcoming = replan(uow, slot, partnership, now, reminders=self._rules.reminder_offsets)
            self._tell_set(
                uow, partnership=partnership, slot=slot, upcoming=upcoming, user_id=user_id, now=now
            )
            uow.commit()
            return SlotChange(partnership=partnership, slot=slot, next=upcoming)

    @staticmethod
    def _tell_set(
        uow: SessionsWork,
        *,
        partnership: Partnership,
        slot: SessionSlot,
        upcoming: Occurrence | None,
        user_id: str,
        now: datetime,
    ) -> None:
        """The partner hears of the new time, in their own zone; both get the invite."""
        team_id = partnership.team_id
        partner = partner_of(partnership, user_id)
        zones = member_zones(uow, partnership)
        zones[user_id] = slot.tz  # the author's, as the form had it just now
        described = {member: in_zone_of(slot, zones[member]) for member in partnership.members()}
        notice = f"notice:{partnership.id}:v{slot.version}"
        assert partnership.id is not None
        said = SessionSet(
            partnership_id=partnership.id,
            author_id=user_id,
            describe=described[partner],
            next_start=upcoming.start if upcoming else None,
            every_weeks=slot.every_weeks,
            set_at=now,
        )
        uow.outbox.add(
            OutgoingMessage(
                team_id=team_id,
                kind=Kind.SESSION_SET,
                recipient=partner,
                key=f"{notice}:set",
                due_at=now,
                payload=said,
            )
        )
        uow.outbox.add(
            OutgoingMessage(
                team_id=team_id,
                kind=Kind.SESSION_INVITE,
                recipient=f"{partnership.mentor_id},{partnership.mentee_id}",
                key=f"{notice}:invite",
                due_at=now,
                payload=SessionInvite(
                    partnership_id=said.partnership_id,
                    author_id=said.author_id,
                    describe=slot.describe(),
                    described=described,
                    until=partnership.ends_at,
                    next_start=said.next_start,
                    every_weeks=said.every_weeks,
                    set_at=said.set_at,
                    mentor_id=partnership.mentor_id,
                    mentee_id=partnership.mentee_id,
                    slot=slot,
                    mentor_team_id=_other_team(partnership.mentor_team_id, team_id),
                    mentee_team_id=_other_team(partnership.mentee_team_id, team_id),
                ),
            )
        )

    def skip(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        original_date: date | None = None,
    ) -> SlotChange:
        """Skip one occurrence (the next one unless ``original_date`` names another)."""
        now = self._clock.now()
        with self._uow() as uow:
            partnership, slot = slot_of(uow, team_id, user_id, partnership_id)
            target = (
                slot.occurrence_on(original_date) if original_date else slot.next_occurrence(now)
            )
            if target is None or target.start <= now:
                raise Conflict("There's no upcoming session to skip.")
            if target.original_date.isoformat() not in slot.skipped:
                slot.skipped.append(target.original_date.isoformat())
            return self._changed(
                uow,
                partnership=partnership,
                slot=slot,
                user_id=user_id,
                now=now,
                change="skip",
                at=target.start,
            )

    def move_once(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        original_date: date | None,
        when: SessionTime,
    ) -> SlotChange:
        """Reschedule one occurrence; the weekly rule stays as it is. Several days or a monthly
        rule is a new rule, never read as "the first of those days" (no silent guess)."""
        if len(when.days) > 1 or when.monthly_ordinal is not None:
            raise DomainError(
                "Rescheduling moves one session; that sounds like a new rule. To change the rule, "
                "use `/mentor schedule`.",
                field="when",
            )
        now = self._clock.now()
        new_start = when.first_start()
        if new_start <= now:
            raise DomainError("Pick a time in the future.", field="when")
        with self._uow() as uow:
            partnership, slot = slot_of(uow, team_id, user_id, partnership_id)
            target = (
                slot.occurrence_on(original_date) if original_date else slot.next_occurrence(now)
            )
            if target is None:
                raise Conflict("There's no upcoming session to move.")
            slot.moved[target.original_date.isoformat()] = new_start.isoformat()
            return self._changed(
                uow,
                partnership=partnership,
                slot=slot,
                user_id=user_id,
                now=now,
                change="move",
                at=new_start,
            )

    def pause(self, *, team_id: str, user_id: str, partnership_id: int, until: date) -> SlotChange:
        """Pause the partnership: its sessions and every prompt of the program's rhythm."""
        now = self._clock.now()
        with self._uow() as uow:
            partnership = member_of(uow, team_id, user_id, partnership_id)
            if until <= now.date():
                raise DomainError("Pick a date in the future to pause until.", field="until")
            if until > now.date() + timedelta(days=180):
                raise DomainError("Pauses last at most six months.", field="until")
            partnership.status = PartnershipStatus.PAUSED
            partnership.paused_until = until
            uow.partnerships.save(partnership)
            slot = uow.sessions.slot(team_id, partnership_id, for_update=True)
            if slot is None:
                return self._pair_changed(
                    uow, partnership=partnership, user_id=user_id, now=now, change="pause_pair"
                )
            slot.paused_until = until
            return self._changed(
                uow,
                partnership=partnership,
                slot=slot,
                user_id=user_id,
                now=now,
                change="pause",
                at=None,
            )

    def resume(self, *, team_id: str, user_id: str, partnership_id: int) -> SlotChange:
        now = self._clock.now()
        with self._uow() as uow:
            partnership = member_of(uow, team_id, user_id, partnership_id)
            if partnership.status is PartnershipStatus.PAUSED:
                partnership.status = PartnershipStatus.ACTIVE
                partnership.paused_until = now.date()  # the quiet-pair clock restarts today
                uow.partnerships.save(partnership)
            self._events.resume(uow, partnership, now)  # e.g. the quiet-pair clock restarts
            slot = uow.sessions.slot(team_id, partnership_id, for_update=True)
            if slot is None:
                return self._pair_changed(
                    uow, partnership=partnership, user_id=user_id, now=now, change="resume_pair"
                )
            slot.paused_until = None
            return self._changed(
                uow,
                partnership=partnership,
                slot=slot,
                user_id=user_id,
                now=now,
                change="resume",
                at=None,
            )

    def set_reminders(self, *, team_id: str, user_id: str, enabled: bool) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            preferences = uow.sessions.preferences(team_id, user_id)
            preferences.session_reminders = enabled
            uow.sessions.save_preferences(preferences)
            for partnership in live_partnerships(uow, team_id, user_id):
                assert partnership.id is not None
                slot = uow.sessions.slot(team_id, partnership.id, for_update=True)
                if slot is not None:
                    slot.version += 1  # a new plan: its keys must not collide with the old one's
                    uow.sessions.save_slot(slot)
                    replan(uow, slot, partnership, now, reminders=self._rules.reminder_offsets)
            uow.commit()

    def record(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        start: datetime,
        outcome: SessionOutcome,
    ) -> Recorded:
        now = self._clock.now()
        with self._uow() as uow:
            partnership = member_of(uow, team_id, user_id, partnership_id, ended_ok=True)
            if start > now or start < partnership.started_at - timedelta(days=1):
                raise NotFound("I can't find that session.")
            log = SessionLog(
                team_id=team_id,
                partnership_id=partnership_id,
                occurrence_start=start,
                outcome=outcome,
                answered_by=user_id,
                answered_at=now,
            )
            first = uow.sessions.add_log(log)
            if first and outcome is SessionOutcome.MET:  # milestones follow, in the outbox
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=team_id,
                        kind=Kind.SESSION_MET,
                        recipient=user_id,
                        key=f"met:{partnership_id}:{stamp(start)}",
                        due_at=now,
                        payload=SessionMet(partnership_id=partnership_id, start=start),
                    )
                )
            if not first:
                existing = uow.sessions.log(team_id, partnership_id, start)
                assert existing is not None
                log = existing
            messages = [
                (m.sent_channel, m.sent_ts)
                for m in uow.outbox.sent(team_id, f"session:{partnership_id}:{stamp(start)}:")
                if m.kind == Kind.SESSION_CHECK and m.sent_channel and m.sent_ts
            ]
            uow.commit()
            return Recorded(log=log, first=first, messages=messages)

    def plan_next(self, uow: SessionsWork, message: OutgoingMessage, now: datetime) -> None:
        """Job at an occurrence's end: plan the next one, if the plan is still the same."""
        job = message.payload_as(PlanNextSession)
        slot = uow.sessions.slot(message.team_id, job.partnership_id, for_update=True)
        partnership = uow.partnerships.get(message.team_id, job.partnership_id)
        if slot is None or partnership is None:
            return
        if slot.version != job.version:
            return  # the plan changed since; that change planned its own next occurrence
        after = job.after
        plan_occurrence(
            uow, slot, partnership, after=after, now=now, reminders=self._rules.reminder_offsets
        )

    def _changed(
        self,
        uow: SessionsWork,
        *,
        partnership: Partnership,
        slot: SessionSlot,
        user_id: str,
        now: datetime,
        change: str,
        at: datetime | None,
    ) -> SlotChange:
        slot.version += 1
        slot.updated_at = now
        slot = uow.sessions.save_slot(slot)
        upcoming = replan(uow, slot, partnership, now, reminders=self._rules.reminder_offsets)
        assert partnership.id is not None
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.SESSION_CHANGED,
                recipient=partner_of(partnership, user_id),
                key=f"notice:{partnership.id}:v{slot.version}:{change}",
                due_at=now,
                payload=SessionChanged(
                    partnership_id=partnership.id,
                    author_id=user_id,
                    change=change,
                    at=at,
                    until=slot.paused_until,
                    next_start=upcoming.start if upcoming else None,
                ),
            )
        )
        uow.commit()
        return SlotChange(partnership=partnership, slot=slot, next=upcoming)

    def _pair_changed(
        self,
        uow: SessionsWork,
        *,
        partnership: Partnership,
        user_id: str,
        now: datetime,
        change: str,
    ) -> SlotChange:
        assert partnership.id is not None
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.SESSION_CHANGED,
                recipient=partner_of(partnership, user_id),
                key=f"notice:{partnership.id}:{change}:{stamp(now)}",
                due_at=now,
                payload=SessionChanged(
                    partnership_id=partnership.id,
                    author_id=user_id,
                    change=change,
                    at=None,
                    until=partnership.paused_until if change == "pause_pair" else None,
                    next_start=None,
                ),
            )
        )
        uow.commit()
        return SlotChange(partnership=partnership, slot=None, next=None)


def default_preferences(team_id: str, user_id: str) -> MemberPreferences:
    return MemberPreferences(team_id=team_id, user_id=user_id)


def _other_team(person_team: str, message_team: str) -> str | None:
    """A person's own workspace when it is not the message's (a pair across workspaces): the
    invite asks it for their email. None otherwise, so a pair of one workspace stores as before."""
    return person_team if person_team and person_team != message_team else None
