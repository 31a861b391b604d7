"""Rows of progress checks (pulses, midterm, final) and risk flags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, PrivateText


class ProgressCheckRow(Base):
    """One person's answer to one prompt; the text is theirs (shared only if they said so)."""

    __tablename__ = "progress_checks"
    __table_args__ = (
        Index(
            "uq_progress_checks_team_partnership_user_kind_round",
            "team_id",
            "partnership_id",
            "user_id",
            "kind",
            "round",
            unique=True,
        ),
        Index("ix_progress_checks_team_kind", "team_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))
    round: Mapped[int]
    answered_at: Mapped[datetime]
    score: Mapped[int | None]
    answers: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(PrivateText, default="")
    share: Mapped[bool] = mapped_column(default=False)


class RiskFlagRow(Base):
    """A pair flagged at risk for coordinators, once per signal and occasion."""

    __tablename__ = "risk_flags"
    __table_args__ = (
        Index(
            "uq_risk_flags_team_partnership_signal_occasion",
            "team_id",
            "partnership_id",
            "signal",
            "occasion",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    signal: Mapped[str] = mapped_column(String(32))
    occasion: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime]
