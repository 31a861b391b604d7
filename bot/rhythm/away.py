"""Away and paused: people on a declared holiday (``/mentor away``) and paused pairs get no
prompts, and their quiet time raises no flags.

Planning skips them where it can (the ladder waits for their return, pulses are not asked),
but much is planned ahead of a holiday declared later (session reminders, "did you meet?"),
so the dispatcher also asks ``Absences`` before delivering a prompt: one to someone away, or
about a pair paused at that moment, is dropped, never sent late.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from bot.model.kinds import Kind
from bot.model.messages import PairPrompt
from bot.model.messages.sessions import SessionCheck
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership
from bot.ports.repositories import PartnershipRepository, SessionRepository
from bot.ports.work import Transaction
from bot.rhythm.part import midnight

AWAY_KINDS: frozenset[str] = frozenset(
    {
        Kind.PULSE,
        Kind.QUIET_NUDGE,
        Kind.QUIET_DECISION,
        Kind.FIT_CHECK,
        Kind.MIDTERM_REVIEW,
        Kind.GOAL_CHECK,
        Kind.SESSION_REMINDER,
        Kind.SESSION_CHECK,
    }
)
"""What the bot asks of a person on its own: none of it reaches them while away or paused
(the term notice, the final evaluation and what people asked for themselves still do)."""


class AbsenceRead(Protocol):
    sessions: SessionRepository


class AbsenceWork(AbsenceRead, Transaction, Protocol):
    partnerships: PartnershipRepository


def away_until(uow: AbsenceRead, team_id: str, user_id: str, now: datetime) -> date | None:
    """The day this person is back, while they are away; None when they are here."""
    until = uow.sessions.preferences(team_id, user_id).away_until
    return until if until is not None and now.date() < until else None


def back_of(uow: AbsenceRead, partnership: Partnership, now: datetime) -> date | None:
    """When both partners are here again, if either is away now."""
    days = [away_until(uow, partnership.team_of(m), m, now) for m in partnership.members()]
    away = [d for d in days if d is not None]
    return max(away) if away else None


def returned_at(uow: AbsenceRead, partnership: Partnership) -> datetime | None:
    """The latest return from a holiday of either partner: their quiet clock restarts then,
    so time away never counts as a pair going quiet."""
    days = [
        uow.sessions.preferences(partnership.team_of(m), m).away_until
        for m in partnership.members()
    ]
    known = [d for d in days if d is not None]
    return midnight(max(known)) if known else None


class Absences:
    """Asked by the dispatcher before it delivers a prompt: drop it (why), or None."""

    def __init__(self, uow: Callable[[], AbsenceWork]) -> None:
        self._uow = uow

    def drop_reason(self, message: OutgoingMessage, now: datetime) -> str | None:
        if message.kind not in AWAY_KINDS or "," in message.recipient:
            return None
        with self._uow() as uow:
            back = away_until(uow, message.team_id, message.recipient, now)
            if back is not None:
                return f"away: back on {back.isoformat()}"
            payload = message.payload
            if isinstance(payload, PairPrompt | SessionCheck):  # every kind in AWAY_KINDS
                partnership = uow.partnerships.get(message.team_id, payload.partnership_id)
                if partnership is not None and partnership.paused_at(now):
                    return "paused: the pair asked for quiet"
        return None
