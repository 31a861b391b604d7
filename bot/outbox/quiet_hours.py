"""Quiet hours: what the bot starts reaches people inside their working day, in their own zone.

Which kinds are held is ``bot.model.kinds.BOT_STARTED``; answers to what someone just did
(``ANSWERS``) never are. The zone is the recipient's as Slack says it (``RecipientZones``),
else the one the planner put in the payload (``TZ_KEY``), else the program's default.

The dispatcher asks ``hold_until`` before delivering a message of a held kind; outside the
allowed hours the message goes back to pending, due at the next allowed moment. Deciding at
delivery time (not only when planning) is what keeps a prompt that was due on Friday at
17:59, but delivered after an outage, from arriving on Saturday morning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from bot.model.outbox import OutgoingMessage
from bot.model.rules import ProgramRules
from bot.when import local_to_utc, zone

TZ_KEY = "tz"
"""Payload key holding the recipient's IANA time zone, set by whoever plans the prompt."""


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

    def next_allowed_for_all(self, at: datetime, tzs: Sequence[str]) -> datetime:
        """The first moment inside everyone's working hours (a group DM); if their days never
        overlap, the start of the first of theirs: never the middle of everyone's night."""
        moment = at
        for _ in range(16):
            later = max(self.next_allowed(moment, tz) for tz in tzs)
            if later == moment:
                return moment
            moment = later
        return min(self.next_allowed(at, tz) for tz in tzs)

    def hold_until(
        self, message: OutgoingMessage, now: datetime, *, zones: Sequence[str] = ()
    ) -> datetime | None:
        """When a held kind may go out, if not now; None for other kinds or now.

        ``zones``: each recipient's, from Slack, "" where unknown; a lone recipient's unknown
        zone is the one its planner put in the payload, else the program's default."""
        if message.kind not in self.kinds or not to_people(message.recipient):
            return None
        tzs = list(zones) or [""]
        if len(tzs) == 1 and not tzs[0]:
            tzs = [str(message.payload.get(TZ_KEY) or "")]
        allowed = self.next_allowed_for_all(now, tzs)
        return allowed if allowed > now else None


def to_people(recipient: str) -> bool:
    """User IDs, one or a group DM's (``U1,U2``): a channel (``C…``, ``G…``) has no one zone,
    so it is not held: the announcement's author chose the channel post's time."""
    return all(part[:1] in ("U", "W") for part in recipient.split(","))
