"""What every outbox payload is: a frozen dataclass, with its private text marked on the type.

A payload is written once by the service that queues it and read by whoever delivers it (the
Slack messenger, or the internal job that runs instead of sending). Its stored form is plain
JSON (see ``codec``); the types here only say what each field is and which of them hold a
person's own words, so the storage layer can seal exactly those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final


class _Private:
    """The marker on a payload field that holds a person's own words (or a copy of them)."""

    def __repr__(self) -> str:
        return "PRIVATE"


PRIVATE: Final = _Private()

PrivateText = Annotated[str, PRIVATE]
"""Text a person wrote (a note, a goal, a milestone's title, a bio): sealed at rest when the
database has a key, like ``PrivateText`` columns."""


@dataclass(frozen=True, kw_only=True)
class Payload:
    """The base of every payload. A field whose default is None is left out of the stored
    JSON while it is None (so an optional field added later changes no older row)."""


@dataclass(frozen=True, kw_only=True)
class NoPayload(Payload):
    """For a kind that needs nothing but its recipient and key."""


@dataclass(frozen=True, kw_only=True)
class Zoned(Payload):
    """A message whose planner knew its recipient's IANA zone: it travels with it, so the
    dispatcher holds it to their working hours without looking anyone up ("" = not known
    here: the recipient's zone as Slack says it, cached; see ``bot.outbox.zones``)."""

    tz: str = ""


@dataclass(frozen=True, kw_only=True)
class PairPrompt(Zoned):
    """A prompt to one member of a pair, about their partner, in their pair's program (None:
    the default program, left out of the JSON as before programs existed)."""

    partnership_id: int
    partner_id: str
    program_id: int | None = None
    # A pair across workspaces (None, left out of the JSON: one workspace): the workspace whose
    # program it is (its hours apply) and the partner's (where their name is asked).
    program_team_id: str | None = None
    partner_team_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class InPlace(Payload):
    """A message that takes the place of one sent before (``channel`` and ``ts`` as Slack
    answered that post): the messenger edits it (``chat.update``, harmless to repeat, so a
    retry or a job run again after a crash changes nothing more), or posts anew where it is
    not known (None, left out of the JSON) or no longer there."""

    channel: str | None = None
    ts: str | None = None


@dataclass(frozen=True, kw_only=True)
class Unreadable(Payload):
    """A stored payload that does not fit its kind's type (a kind a newer release added, a row
    changed by hand): kept as stored, so it is written back unchanged, and failed, not sent."""

    data: dict[str, Any]
    error: str
