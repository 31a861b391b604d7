"""Rows of what people chose to keep of what they wrote to the bot in its DM."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, PrivateText


class DmNoteRow(Base):
    """Encrypted like reflections: what people wrote is readable only through the bot's key."""

    __tablename__ = "dm_notes"
    __table_args__ = (Index("ix_dm_notes_team_author", "team_id", "author_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="SET NULL")
    )
    prompt: Mapped[str] = mapped_column(String(40), default="")
    audience: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(PrivateText)
    created_at: Mapped[datetime]
