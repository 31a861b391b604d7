"""The pairs' channels across workspaces: one row per partnership, found again by Slack's
events through its invite or its channel."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.model.pair_channels import PairChannel, PairChannelStatus
from storage.models.pair_channels import PairChannelRow
from storage.rows import _save, _to_domain

_ENUMS: dict[str, type[StrEnum]] = {"status": PairChannelStatus}


class SqlPairChannelRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def for_partnership(self, program_team_id: str, partnership_id: int) -> PairChannel | None:
        row = self._s.scalar(
            select(PairChannelRow).where(
                PairChannelRow.partnership_id == partnership_id,
                PairChannelRow.program_team_id == program_team_id,
            )
        )
        return _to_domain(PairChannel, row, _ENUMS) if row is not None else None

    def find(
        self, team_id: str, *, invite_id: str = "", channel_id: str = ""
    ) -> PairChannel | None:
        sides = or_(PairChannelRow.team_id == team_id, PairChannelRow.partner_team_id == team_id)
        for column, value in (
            (PairChannelRow.invite_id, invite_id),
            (PairChannelRow.channel_id, channel_id),
        ):
            if not value:
                continue
            row = self._s.scalar(
                select(PairChannelRow).where(sides, column == value).order_by(PairChannelRow.id)
            )
            if row is not None:
                return _to_domain(PairChannel, row, _ENUMS)
        return None

    def save(self, channel: PairChannel) -> PairChannel:
        _save(self._s, PairChannelRow, channel)
        return channel
