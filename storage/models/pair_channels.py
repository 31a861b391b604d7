"""Rows of the pairs' channels across workspaces (``bot.pair_channels``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PairChannelRow(Base):
    """One partnership's Slack Connect channel, owned by the workspace that hosts it."""

    __tablename__ = "pair_channels"
    __table_args__ = (
        Index("uq_pair_channels_partnership", "partnership_id", unique=True),
        Index("ix_pair_channels_team_channel", "team_id", "channel_id"),
        Index("ix_pair_channels_invite", "invite_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    program_team_id: Mapped[str] = mapped_column(String(32))
    host_user_id: Mapped[str] = mapped_column(String(32))
    partner_team_id: Mapped[str] = mapped_column(String(32))
    partner_user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    host_name: Mapped[str] = mapped_column(String(200), default="")
    partner_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(32), default="")
    host_added: Mapped[bool] = mapped_column(default=False)
    invite_id: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
