"""What the conversation needs from storage beyond the shared unit of work: its notes."""

from __future__ import annotations

from typing import Protocol

from bot.model.conversation import DmNote
from bot.ports import UnitOfWork


class DmNoteRepository(Protocol):
    def add(self, note: DmNote) -> DmNote: ...
    def get(self, team_id: str, note_id: int) -> DmNote | None: ...
    def by_author(self, team_id: str, author_id: str) -> list[DmNote]:
        """Oldest first: the order they were written in, for the export."""
        ...


class ConversationUnitOfWork(UnitOfWork, Protocol):
    """The shared unit of work, with the DM notes in the same transaction."""

    dm_notes: DmNoteRepository


class ConversationUnitOfWorkFactory(Protocol):
    def __call__(self) -> ConversationUnitOfWork: ...
