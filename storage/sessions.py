"""The weekly session's slot, its log and each person's reminder settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.model.sessions import MemberPreferences, SessionLog, SessionSlot
from storage.models.sessions import MemberPreferencesRow, SessionLogRow, SessionSlotRow
from storage.rows import _LOG_ENUMS, _copy_into, _save, _to_domain


class SqlSessionRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def slot(
        self, team_id: str, partnership_id: int, *, for_update: bool = False
    ) -> SessionSlot | None:
        query = select(SessionSlotRow).where(
            SessionSlotRow.team_id == team_id, SessionSlotRow.partnership_id == partnership_id
        )
        if for_update:  # PostgreSQL: a second change of the same plan waits for the first
            query = query.with_for_update()
        row = self._s.scalar(query)
        return _to_domain(SessionSlot, row, {}) if row else None

    def save_slot(self, slot: SessionSlot) -> SessionSlot:
        _save(self._s, SessionSlotRow, slot)
        return slot

    def log(self, team_id: str, partnership_id: int, start: datetime) -> SessionLog | None:
        row = self._s.scalar(
            select(SessionLogRow).where(
                SessionLogRow.team_id == team_id,
                SessionLogRow.partnership_id == partnership_id,
                SessionLogRow.occurrence_start == start,
            )
        )
        return _to_domain(SessionLog, row, _LOG_ENUMS) if row else None

    def add_log(self, log: SessionLog) -> bool:
        if self.log(log.team_id, log.partnership_id, log.occurrence_start) is not None:
            return False
        try:
            with self._s.begin_nested():
                row = SessionLogRow()
                _copy_into(row, log)
                self._s.add(row)
        except IntegrityError:  # the partner's answer landed a moment earlier
            return False
        log.id = row.id
        return True

    def logs(self, team_id: str, partnership_id: int) -> list[SessionLog]:
        rows = self._s.scalars(
            select(SessionLogRow)
            .where(SessionLogRow.team_id == team_id, SessionLogRow.partnership_id == partnership_id)
            .order_by(SessionLogRow.occurrence_start)
        )
        return [_to_domain(SessionLog, row, _LOG_ENUMS) for row in rows]

    def preferences(self, team_id: str, user_id: str) -> MemberPreferences:
        row = self._s.scalar(
            select(MemberPreferencesRow).where(
                MemberPreferencesRow.team_id == team_id, MemberPreferencesRow.user_id == user_id
            )
        )
        if row is None:
            return MemberPreferences(team_id=team_id, user_id=user_id)
        return _to_domain(MemberPreferences, row, {})

    def save_preferences(self, preferences: MemberPreferences) -> MemberPreferences:
        _save(self._s, MemberPreferencesRow, preferences)
        return preferences
