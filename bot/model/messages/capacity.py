"""Payloads of a mentor's time and the program team's weekly look at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.model.messages.base import Payload, Zoned


@dataclass(frozen=True, kw_only=True)
class StayOpen(Zoned):
    """After declines in a row: stay open for new mentees?"""

    declines: int


@dataclass(frozen=True, kw_only=True)
class ResumeRequests(Payload):
    """The job on the day a mentor's pause of new requests ends (if it is still that day)."""

    until: date


@dataclass(frozen=True, kw_only=True)
class RequestsResumed(Zoned):
    until: date


@dataclass(frozen=True, kw_only=True)
class StillWaitlisted(Zoned):
    request_id: int
    weeks: int


@dataclass(frozen=True, kw_only=True)
class NewMentorQuestion(Zoned):
    """After "we reached our goals": would the mentee like a new mentor?"""

    partnership_id: int
    partner_id: str


@dataclass(frozen=True, kw_only=True)
class CapacityWeek(Payload):
    week: str  # "2026-W11": the key of each week's digest


@dataclass(frozen=True, kw_only=True)
class Waiting:
    mentee_id: str
    days: int


@dataclass(frozen=True, kw_only=True)
class CapacityDigest(Zoned):
    """The week's figures as worked out when due (a retry sends the same digest): counts,
    reasons only from five declines on, the mentees waiting two weeks or more."""

    since: datetime
    until: datetime
    asked: int
    accepted: int
    declines: int
    reasons: dict[str, int] = field(default_factory=dict)
    expired: int
    waiting: tuple[Waiting, ...] = ()
