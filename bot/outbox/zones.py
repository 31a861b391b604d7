"""Each recipient's time zone, as Slack says it, for holding messages to their working hours.

The zone is Slack's (the profile's ``tz``), kept in the database (``person_zones``) so that no
replica asks Slack for every message it holds: handlers that read users.info anyway tell it
what they saw, ``user_change`` tells it when someone moves, and a person never seen is asked
of Slack once, here, on the dispatcher's side (never inside a handler's three-second ack).
On top of the table, each process remembers what it read for a few minutes, so a batch of
a thousand reports to five coordinators reads five rows, not a thousand.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock
from bot.ports import PersonZones, TimeZones

log = logging.getLogger(__name__)

REMEMBER = timedelta(minutes=10)
"""How long a process trusts what it read: another replica's ``user_change`` is seen after
at most this long (a message held meanwhile is asked about again when it is due)."""
UNKNOWN_RETRY = timedelta(hours=1)
"""A person Slack could not tell us about is asked again after this long, not per message."""


class RecipientZones:
    def __init__(self, *, store: PersonZones, slack: TimeZones | None, clock: Clock) -> None:
        self._store = store
        self._slack = slack
        self._clock = clock
        self._known: dict[tuple[str, str], tuple[str | None, datetime]] = {}
        self._lock = threading.Lock()

    def of(self, team_id: str, user_id: str) -> str | None:
        """Their zone: remembered, else the table's, else Slack's (then kept); None if unknown."""
        key, now = (team_id, user_id), self._clock.now()
        with self._lock:
            remembered = self._known.get(key)
        if remembered is not None and now < remembered[1]:
            return remembered[0]
        tz = self._store.get(team_id, user_id)
        if not tz and self._slack is not None:
            asked = self._slack.time_zone(team_id, user_id)
            if asked and valid_zone(asked):
                self._store.put(team_id=team_id, user_id=user_id, tz=asked, at=now)
                tz = asked
        self._remember(key, tz or None, now + (REMEMBER if tz else UNKNOWN_RETRY))
        return tz or None

    def seen(self, team_id: str, user_id: str, tz: str) -> bool:
        """What a handler or ``user_change`` read from Slack; True if it is a new zone.

        An empty or unknown name is ignored: it must not replace a good zone. The same zone
        this process remembers (every modal opened asks users.info) is not written again."""
        if not team_id or not user_id or not tz or not valid_zone(tz):
            return False
        now = self._clock.now()
        with self._lock:
            remembered = self._known.get((team_id, user_id))
        if remembered is not None and remembered[0] == tz and now < remembered[1]:
            return False  # what this process read or wrote minutes ago: no row to lock again
        changed = self._store.put(team_id=team_id, user_id=user_id, tz=tz, at=now)
        self._remember((team_id, user_id), tz, now + REMEMBER)
        if changed:
            log.info("time zone of %s in %s is now %s", user_id, team_id, tz)
        return changed

    def _remember(self, key: tuple[str, str], tz: str | None, until: datetime) -> None:
        with self._lock:
            if len(self._known) > 100_000:  # a bound, not a policy: read again from the table
                self._known.clear()
            self._known[key] = (tz, until)


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
