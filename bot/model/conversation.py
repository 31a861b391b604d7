"""What people write to the bot in its DM, once they chose to keep it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class NoteAudience(StrEnum):
    """Who a DM note was for, as its author chose with one click."""

    PRIVATE = "private"  # only its author
    PARTNER = "partner"  # its author and their partner
    TEAM = "team"  # its author and the program's coordinators

    @property
    def label(self) -> str:
        return {
            NoteAudience.PRIVATE: "kept private",
            NoteAudience.PARTNER: "shared with my partner",
            NoteAudience.TEAM: "sent to the program team",
        }[self]


@dataclass
class DmNote:
    """A reply in the DM its author chose to keep: the answer to a prompt, or a word to someone.

    ``prompt`` is the kind of the prompt it answered (a pulse, a "did you meet?"), or empty.
    """

    team_id: str
    author_id: str
    text: str
    audience: NoteAudience
    created_at: datetime
    partnership_id: int | None = None
    prompt: str = ""
    id: int | None = None
