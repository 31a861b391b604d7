"""Announcements, stored for scheduling and tallies."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.model.announcements import Announcement, AnnouncementStatus
from storage.models.announcements import AnnouncementRow
from storage.rows import _ANNOUNCEMENT_ENUMS, _save, _to_domain


class SqlAnnouncementRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, announcement_id: int) -> Announcement | None:
        row = self._s.get(AnnouncementRow, announcement_id)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(Announcement, row, _ANNOUNCEMENT_ENUMS)

    def save(self, announcement: Announcement) -> Announcement:
        _save(self._s, AnnouncementRow, announcement)
        return announcement

    def scheduled(self, team_id: str) -> list[Announcement]:
        rows = self._s.scalars(
            select(AnnouncementRow)
            .where(
                AnnouncementRow.team_id == team_id,
                AnnouncementRow.status == AnnouncementStatus.SCHEDULED.value,
            )
            .order_by(AnnouncementRow.send_at, AnnouncementRow.id)
        )
        return [_to_domain(Announcement, row, _ANNOUNCEMENT_ENUMS) for row in rows]
