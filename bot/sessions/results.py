"""What the sessions service answers with: a change of plan, a rule read back before it is
saved, and an answer to "did you meet?" (with every copy of the question to redraw)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.model.partnership import Partnership
from bot.model.sessions import Occurrence, SessionLog, SessionSlot


@dataclass(frozen=True)
class SlotChange:
    partnership: Partnership
    slot: SessionSlot | None  # None: a pause or resume of a pair that has no session time yet
    next: Occurrence | None


@dataclass(frozen=True)
class Preview:
    """A rule as it would be saved, and its first session (None: none before the term ends)."""

    slot: SessionSlot
    next: Occurrence | None
    ends_at: datetime


@dataclass(frozen=True)
class Recorded:
    log: SessionLog
    first: bool  # False: the partner had already answered, and their answer stands
    messages: list[tuple[str, str]]  # (channel, ts) of every "did you meet?" for it
    # Those in another workspace than the answerer's (a pair across workspaces): (workspace,
    # channel, ts), redrawn with that workspace's token.
    elsewhere: tuple[tuple[str, str, str], ...] = ()
