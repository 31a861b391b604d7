"""Rows of announcements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class AnnouncementRow(Base):
    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_team_status", "team_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(20))
    send_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    replaces: Mapped[int | None]
    created_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(default=0)
    delivered: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    program: Mapped[str] = mapped_column(String(16), default="", server_default="")
