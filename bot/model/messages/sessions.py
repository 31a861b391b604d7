"""Payloads of the weekly sessions: the new time, the invite, changes, reminders, checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.model.messages.base import Payload
from bot.model.sessions import SessionSlot


@dataclass(frozen=True, kw_only=True)
class SessionSet(Payload):
    """To the partner who didn't set it."""

    partnership_id: int
    author_id: str
    describe: str
    next_start: datetime | None
    every_weeks: int
    set_at: datetime


@dataclass(frozen=True, kw_only=True)
class SessionInvite(SessionSet):
    """The calendar invite, to the pair's group DM: the rule itself travels with it."""

    mentor_id: str
    mentee_id: str
    slot: SessionSlot
    described: dict[str, str] | None = None  # the rule as each of them reads it
    until: datetime | None = None  # the term's end: the series' UNTIL
    # Each person's own workspace, where their name and email are asked (None: the message's,
    # a pair of one workspace and every older row).
    mentor_team_id: str | None = None
    mentee_team_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class SessionChanged(Payload):
    """A skip, move, pause or resume (of the slot or the whole pair), to the partner."""

    partnership_id: int
    author_id: str
    change: str
    at: datetime | None
    until: date | None
    next_start: datetime | None


@dataclass(frozen=True, kw_only=True)
class SessionCheck(Payload):
    """ "Did you meet?" after one occurrence."""

    partnership_id: int
    partner_id: str
    start: datetime
    minutes: int
    original_date: date


@dataclass(frozen=True, kw_only=True)
class SessionReminder(SessionCheck):
    before: float = 0  # seconds before the start


@dataclass(frozen=True, kw_only=True)
class PlanNextSession(Payload):
    """Job: at an occurrence's end, plan the next one (if the rule is still this version)."""

    partnership_id: int
    version: int
    after: datetime


@dataclass(frozen=True, kw_only=True)
class SessionMet(Payload):
    """Job: a session was logged as held; the journal counts milestones."""

    partnership_id: int
    start: datetime
