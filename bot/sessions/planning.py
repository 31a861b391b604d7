"""Planning a slot's next occurrence in the outbox: every change replans it, and the job at
its end plans the one after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.model.kinds import Kind
from bot.model.messages.sessions import PlanNextSession, SessionCheck, SessionReminder
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership, partner_of, team_if_across
from bot.model.sessions import (
    Occurrence,
    SessionSlot,
)
from bot.ports import SessionsWork, cancel_for_pair

STAMP = "%Y%m%dT%H%MZ"
CHECK_EXPIRES_AFTER = timedelta(days=6)


def stamp(at: datetime) -> str:
    """A canonical, compact UTC form of an occurrence's start, for keys and button values."""
    return at.astimezone(UTC).strftime(STAMP)


def parse_stamp(value: str) -> datetime:
    return datetime.strptime(value, STAMP).replace(tzinfo=UTC)


def replan(
    uow: SessionsWork,
    slot: SessionSlot,
    partnership: Partnership,
    now: datetime,
    *,
    reminders: Sequence[timedelta],
) -> Occurrence | None:
    # What is to come goes; what is about a session that already began stays: its
    # "did you meet?" may be waiting for someone's working hours, and that session happened.
    prefix = f"session:{slot.partnership_id}:"
    cancel_for_pair(uow.outbox, partnership, prefix, from_key=prefix + stamp(now))
    return plan_occurrence(uow, slot, partnership, after=now, now=now, reminders=reminders)


def plan_occurrence(
    uow: SessionsWork,
    slot: SessionSlot,
    partnership: Partnership,
    *,
    after: datetime,
    now: datetime,
    reminders: Sequence[timedelta],
) -> Occurrence | None:
    """Reminders before it, "did you meet?" after it, the job at its end for the next."""
    occurrence = slot.next_occurrence(after)
    if occurrence is None or occurrence.start > partnership.ends_at:
        return None
    prefix = f"session:{slot.partnership_id}:{stamp(occurrence.start)}:v{slot.version}"
    base = SessionCheck(
        partnership_id=slot.partnership_id,
        partner_id="",
        start=occurrence.start,
        minutes=slot.duration_minutes,
        original_date=occurrence.original_date,
    )
    for member in partnership.members():
        partner = partner_of(partnership, member)
        team = partnership.team_of(member)  # each hears in their own Slack
        if uow.sessions.preferences(team, member).session_reminders:
            _remind(
                uow,
                slot,
                occurrence,
                team=team,
                member=member,
                partner=partner,
                partner_team=team_if_across(partnership, partner),
                prefix=prefix,
                base=base,
                reminders=reminders,
                planned_at=min(after, now),
            )
        uow.outbox.add(
            OutgoingMessage(
                team_id=team,
                kind=Kind.SESSION_CHECK,
                recipient=member,
                key=f"{prefix}:check:{member}",
                due_at=occurrence.end,
                expires_at=occurrence.end + CHECK_EXPIRES_AFTER,
                coalesce_key=f"session-check:{slot.partnership_id}:{member}",
                payload=replace(
                    base, partner_id=partner, partner_team_id=team_if_across(partnership, partner)
                ),
            )
        )
    uow.outbox.add(
        OutgoingMessage(
            team_id=slot.team_id,
            kind=Kind.PLAN_NEXT_SESSION,
            recipient=partnership.mentee_id,
            key=f"{prefix}:plan",
            due_at=occurrence.end,
            payload=PlanNextSession(
                partnership_id=slot.partnership_id, version=slot.version, after=occurrence.end
            ),
        )
    )
    return occurrence


def _remind(
    uow: SessionsWork,
    slot: SessionSlot,
    occurrence: Occurrence,
    *,
    team: str,
    member: str,
    partner: str,
    partner_team: str | None,
    prefix: str,
    base: SessionCheck,
    reminders: Sequence[timedelta],
    planned_at: datetime,
) -> None:
    """One member's reminders before the occurrence, those not already past."""
    for offset in reminders:
        due = occurrence.start - offset
        if due <= planned_at:
            continue  # planned too late for this reminder: the next one will do
        uow.outbox.add(
            OutgoingMessage(
                team_id=team,
                kind=Kind.SESSION_REMINDER,
                recipient=member,
                key=f"{prefix}:remind{int(offset.total_seconds())}:{member}",
                due_at=due,
                expires_at=occurrence.start,
                payload=SessionReminder(
                    partnership_id=base.partnership_id,
                    partner_id=partner,
                    start=base.start,
                    minutes=base.minutes,
                    original_date=base.original_date,
                    before=offset.total_seconds(),
                    partner_team_id=partner_team,
                ),
            )
        )
