"""People's time zones as Slack last told them: what holds a message to their working hours."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PersonZoneRow(Base):
    """One person's zone in one workspace; ``updated_at`` says how fresh Slack's word is."""

    __tablename__ = "person_zones"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tz: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
