"""Programs and the texts coordinators rewrote."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.model.onboarding import ProgramText, TextKey
from bot.model.programs import Program
from bot.model.sharing import MembershipStatus
from storage.models.programs import ProgramMembershipRow, ProgramRow, ProgramTextRow
from storage.rows import _copy_into, _save, _to_domain


class SqlProgramTextRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def _row(self, team_id: str, key: TextKey) -> ProgramTextRow | None:
        return self._s.scalar(
            select(ProgramTextRow).where(
                ProgramTextRow.team_id == team_id, ProgramTextRow.key == key.value
            )
        )

    def get(self, team_id: str, key: TextKey) -> ProgramText | None:
        row = self._row(team_id, key)
        return _to_domain(ProgramText, row, {"key": TextKey}) if row else None

    def save(self, text: ProgramText) -> None:
        row = self._row(text.team_id, text.key)
        if row is None:
            row = ProgramTextRow()
            self._s.add(row)
        _copy_into(row, text)
        self._s.flush()


class SqlProgramRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, program_id: int) -> Program | None:
        row = self._s.get(ProgramRow, program_id)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(Program, row, {})

    def save(self, program: Program) -> Program:
        _save(self._s, ProgramRow, program)
        return program

    def joined(self, team_id: str) -> list[Program]:
        member = ProgramMembershipRow
        rows = self._s.scalars(
            select(ProgramRow)
            .join(member, member.program_id == ProgramRow.id)
            .where(
                member.team_id == team_id,
                member.host_team_id == ProgramRow.team_id,
                member.status == MembershipStatus.ACTIVE.value,
            )
            .order_by(ProgramRow.id)
        )
        return [_to_domain(Program, row, {}) for row in rows]

    def all(self, team_id: str) -> list[Program]:
        rows = self._s.scalars(
            select(ProgramRow).where(ProgramRow.team_id == team_id).order_by(ProgramRow.id)
        )
        return [_to_domain(Program, row, {}) for row in rows]
