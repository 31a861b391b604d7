"""The cache of people's zones (``bot.ports.PersonZones``): one short transaction a call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.models.zones import PersonZoneRow


class SqlPersonZones:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, team_id: str, user_id: str) -> str | None:
        with self._sessions() as session:
            row = session.get(PersonZoneRow, (team_id, user_id))
            return row.tz if row is not None else None

    def put(self, *, team_id: str, user_id: str, tz: str, at: datetime) -> bool:
        """Insert or update; two writers racing on a new person both mean the same zone, so
        the loser's integrity error is read as "already known" rather than raised."""
        with self._sessions() as session:
            row = session.get(PersonZoneRow, (team_id, user_id), with_for_update=True)
            if row is not None and row.tz == tz:
                return False
            if row is None:
                session.add(PersonZoneRow(team_id=team_id, user_id=user_id, tz=tz, updated_at=at))
            else:
                row.tz, row.updated_at = tz, at
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True
