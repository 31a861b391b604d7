"""Working hours: what the bot starts reaches people inside their working day, in their zone.

Which messages are held is said in one place, ``bot.model.kinds.TIMING`` (``started_by_bot``);
answers to what someone just did never are. The zone is the one the planner put in the payload
(``Zoned.tz``) if it knew it, else the recipient's as Slack says it (``zone_of``: cached, see
``bot.outbox.zones``), else the program's default.

The dispatcher asks ``hold_until`` before delivering; outside the allowed hours the message goes
back to pending, due at the next allowed moment, and is asked about again then, so a zone that
changed meanwhile is honoured. Deciding at delivery time (not only when planning) is what keeps
a prompt that was due on Friday at 17:59, but delivered after an outage, from arriving on
Saturday morning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from bot.model.kinds import started_by_bot
from bot.model.messages import Zoned
from bot.model.outbox import OutgoingMessage
from bot.model.rules import ProgramRules
from bot.when import local_to_utc, zone

ZoneOf = Callable[[str, str], str | None]
"""A person's zone by (team, user), from a cache: None when nobody can tell."""


class PromptHold(Protocol):
    """What the dispatcher asks before delivering: one program's hours, or each program's."""

    def hold_until(self, message: OutgoingMessage, now: datetime) -> datetime | None: ...


class PromptDrop(Protocol):
    """What the dispatcher asks before delivering: a reason to drop this prompt now (its
    recipient is away, its pair paused), or None."""

    def drop_reason(self, message: OutgoingMessage, now: datetime) -> str | None: ...


@dataclass(frozen=True)
class QuietHours:
    kinds: frozenset[str] | None = None  # None: whatever ``started_by_bot`` holds
    start: time = time(9)
    end: time = time(18)
    weekdays: frozenset[int] = frozenset(range(5))  # Monday=0; all seven: weekends allowed
    default_tz: str = "UTC"

    @classmethod
    def for_program(cls, rules: ProgramRules, kinds: Iterable[str] | None = None) -> QuietHours:
        return cls(
            kinds=frozenset(kinds) if kinds is not None else None,
            start=time(rules.workday_start_hour),
            end=time(rules.workday_end_hour) if rules.workday_end_hour < 24 else time.max,
            weekdays=frozenset(range(5)) if rules.weekends_off else frozenset(range(7)),
            default_tz=rules.default_tz,
        )

    def holds(self, message: OutgoingMessage) -> bool:
        """Whether this message waits for working hours at all (never a channel's post)."""
        if not to_people(message.recipient):
            return False
        if self.kinds is None:
            return started_by_bot(message.kind, message.payload)
        return message.kind in self.kinds

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

    def next_allowed_for_all(self, at: datetime, tzs: Sequence[str]) -> datetime:
        """The first moment inside everyone's working hours (a group DM).

        If there is none within a week (Auckland and Berlin with a 9-18 day never overlap),
        the last member's next working hour: in a pair's group DM (``mentor,mentee``) that is
        the mentee, for whom the program exists; the mentor reads it in their morning."""
        moment = at
        for _ in range(16):
            later = max(self.next_allowed(moment, tz) for tz in tzs)
            if later == moment:
                return moment
            if later - at > timedelta(days=7):
                break
            moment = later
        return self.next_allowed(at, tzs[-1])

    def hold_until(
        self, message: OutgoingMessage, now: datetime, *, zone_of: ZoneOf | None = None
    ) -> datetime | None:
        """When a held message may go out, if not now; None when it may go now."""
        if not self.holds(message):
            return None
        allowed = self.next_allowed_for_all(now, self.zones(message, zone_of))
        return allowed if allowed > now else None

    @staticmethod
    def zones(message: OutgoingMessage, zone_of: ZoneOf | None) -> list[str]:
        """Each recipient's zone, "" where unknown (the default then). A lone recipient's is
        the planner's if it put one in the payload: no lookup at all for those."""
        members = message.recipient.split(",")
        planned = message.payload.tz if isinstance(message.payload, Zoned) else ""
        if planned and len(members) == 1:
            return [planned]
        if zone_of is None:
            return [planned] if len(members) == 1 else ["" for _ in members]
        return [zone_of(message.team_id, member) or "" for member in members]


def to_people(recipient: str) -> bool:
    """User IDs, one or a group DM's (``U1,U2``): a channel (``C…``, ``G…``) has no one zone,
    so it is not held: the announcement's author chose the channel post's time."""
    return all(part[:1] in ("U", "W") for part in recipient.split(","))
