"""Each recipient's time zone, as Slack says it, for holding messages to their working hours.

The zone is Slack's (the profile's ``tz``), kept in the database so the dispatcher need not
ask Slack for every message it holds. Handlers that read users.info anyway tell it what they
saw, ``user_change`` tells it when someone moves, and a person never seen is asked of Slack
lazily, here, on the dispatcher's side: never inside a handler's three-second ack.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock
from bot.ports import PersonZones, TimeZones

log = logging.getLogger(__name__)


class RecipientZones:
    def __init__(self, *, store: PersonZones, slack: TimeZones | None, clock: Clock) -> None:
        self._store = store
        self._slack = slack
        self._clock = clock

    def of(self, team_id: str, user_id: str) -> str | None:
        """Their zone, from the cache or else from Slack (then cached); None if unknown."""
        known = self._store.get(team_id, user_id)
        if known:
            return known
        if self._slack is None:
            return None
        asked = self._slack.time_zone(team_id, user_id)
        if not asked or not _valid(asked):
            return None
        self._store.put(team_id=team_id, user_id=user_id, tz=asked, at=self._clock.now())
        return asked

    def seen(self, team_id: str, user_id: str, tz: str) -> bool:
        """What a handler or ``user_change`` read from Slack; True if it is a new zone.

        An empty or unknown name is ignored: it must not replace a good zone."""
        if not team_id or not user_id or not tz or not _valid(tz):
            return False
        changed = self._store.put(team_id=team_id, user_id=user_id, tz=tz, at=self._clock.now())
        if changed:
            log.info("time zone of %s in %s is now %s", user_id, team_id, tz)
        return changed


def _valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
