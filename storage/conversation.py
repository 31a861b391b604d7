"""The DM notes people chose to keep."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.model.conversation import DmNote, NoteAudience
from storage.models.conversation import DmNoteRow


def _note(row: DmNoteRow) -> DmNote:
    return DmNote(
        id=row.id,
        team_id=row.team_id,
        author_id=row.author_id,
        partnership_id=row.partnership_id,
        prompt=row.prompt,
        audience=NoteAudience(row.audience),
        text=row.text,
        created_at=row.created_at,
    )


class SqlDmNoteRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, note: DmNote) -> DmNote:
        row = DmNoteRow(
            team_id=note.team_id,
            author_id=note.author_id,
            partnership_id=note.partnership_id,
            prompt=note.prompt,
            audience=note.audience.value,
            text=note.text,
            created_at=note.created_at,
        )
        self._s.add(row)
        self._s.flush()
        note.id = row.id
        return note

    def get(self, team_id: str, note_id: int) -> DmNote | None:
        row = self._s.get(DmNoteRow, note_id)
        if row is None or row.team_id != team_id:
            return None
        return _note(row)

    def by_author(self, team_id: str, author_id: str) -> list[DmNote]:
        rows = self._s.scalars(
            select(DmNoteRow)
            .where(DmNoteRow.team_id == team_id, DmNoteRow.author_id == author_id)
            .order_by(DmNoteRow.created_at, DmNoteRow.id)
        )
        return [_note(row) for row in rows]
