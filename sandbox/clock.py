"""The sandbox's time: the real clock plus however far the page has moved it forward."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

__all__ = ["SandboxClock"]


class SandboxClock:
    """Runs like the wall clock, and jumps forward when asked, never back.

    The bot gets it as its clock (a ``bot.clock.Clock``), so "+1 week" on the page is a week
    later for every service, the dispatcher and the local Slack's message timestamps alike.
    Going back is refused: the outbox already holds what was sent "later".
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        if start is not None:
            self._offset = start.astimezone(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance_to(self, at: datetime) -> datetime:
        """Jump to ``at`` if it is later than now; returns the new now."""
        if at.tzinfo is None:
            raise ValueError("advance_to needs a timezone-aware datetime")
        with self._lock:
            now = datetime.now(UTC) + self._offset
            if at > now:
                self._offset += at - now
            return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the sandbox's time only moves forward")
        return self.advance_to(self.now() + delta)
