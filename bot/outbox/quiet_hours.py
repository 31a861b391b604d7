"""Quiet hours: prompts reach people inside their working day, in their own time zone.

The dispatcher asks ``hold_until`` before delivering a message of a prompt kind; outside the
allowed hours the message goes back to pending, due at the next allowed moment. Deciding at
delivery time (not only when planning) is what keeps a prompt that was due on Friday at
17:59, but delivered after an outage, from arriving on Saturday morning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from bot.model.messages import Zoned
from bot.model.outbox import OutgoingMessage
from bot.model.rules import ProgramRules
from bot.when import local_to_utc, zone


class PromptHold(Protocol):
    """What the dispatcher asks before delivering: one program's hours, or each program's."""

    def hold_until(self, message: OutgoingMessage, now: datetime) -> datetime | None: ...


@dataclass(frozen=True)
class QuietHours:
    kinds: frozenset[str]
    start: time = time(9)
    end: time = time(18)
    weekdays: frozenset[int] = frozenset(range(5))  # Monday=0; all seven: weekends allowed
    default_tz: str = "UTC"

    @classmethod
    def for_program(cls, rules: ProgramRules, kinds: Iterable[str]) -> QuietHours:
        return cls(
            kinds=frozenset(kinds),
            start=time(rules.workday_start_hour),
            end=time(rules.workday_end_hour) if rules.workday_end_hour < 24 else time.max,
            weekdays=frozenset(range(5)) if rules.weekends_off else frozenset(range(7)),
            default_tz=rules.default_tz,
        )

    def allows(self, at: datetime, tz: str) -> bool:
        local = at.astimezone(zone(tz or self.default_tz))
        return local.weekday() in self.weekdays and self.start <= local.time() < self.end

    def next_allowed(self, at: datetime, tz: str) -> datetime:
        """``at`` itself if allowed, else the start of the next allowed working day."""
        name = tz or self.default_tz
        if self.allows(at, name):
            return at
        local = at.astimezone(zone(name))
        day = local.date() if local.time() < self.start else local.date() + timedelta(days=1)
        for _ in range(8):
            if day.weekday() in self.weekdays:
                return local_to_utc(day, self.start, name)
            day += timedelta(days=1)
        return at  # no allowed day configured at all: never hold forever

    def hold_until(self, message: OutgoingMessage, now: datetime) -> datetime | None:
        """When a quiet-hours prompt may go out, if not now; None for other kinds or now."""
        if message.kind not in self.kinds or "," in message.recipient:
            return None
        tz = message.payload.tz if isinstance(message.payload, Zoned) else ""
        allowed = self.next_allowed(now, tz)
        return allowed if allowed > now else None
