"""Removed workspaces, and deleting everything a workspace owns once its retention is over."""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from bot.model.workspaces import RemovalReason, WorkspaceRemoval
from storage.models.base import Base
from storage.models.pair_channels import PairChannelRow
from storage.models.workspaces import SLACK_BOTS, WorkspaceRemovalRow


class SqlWorkspaceRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def removal(self, team_id: str) -> WorkspaceRemoval | None:
        row = self._s.get(WorkspaceRemovalRow, team_id)
        return _removal(row) if row is not None else None

    def record_removal(self, removal: WorkspaceRemoval) -> None:
        self._s.add(
            WorkspaceRemovalRow(
                team_id=removal.team_id,
                removed_at=removal.removed_at,
                purge_after=removal.purge_after,
                reason=removal.reason.value,
            )
        )
        self._s.flush()

    def forget_removal(self, team_id: str) -> None:
        self._s.execute(delete(WorkspaceRemovalRow).where(WorkspaceRemovalRow.team_id == team_id))

    def removals(self) -> list[WorkspaceRemoval]:
        rows = self._s.scalars(
            select(WorkspaceRemovalRow).order_by(
                WorkspaceRemovalRow.purge_after, WorkspaceRemovalRow.team_id
            )
        )
        return [_removal(row) for row in rows]

    def purge(self, team_id: str) -> dict[str, int]:
        """Every table with a ``team_id`` column, children before parents (foreign keys).

        Walking the metadata rather than a list of tables means a table added later is purged
        too, without anyone remembering to add it here.
        """
        deleted: dict[str, int] = {}
        for table in reversed(Base.metadata.sorted_tables):
            if "team_id" not in table.c:
                continue
            result = self._s.execute(delete(table).where(table.c.team_id == team_id))
            deleted[table.name] = int(getattr(result, "rowcount", 0) or 0)
        # a pair's channel lives in one workspace and names the other's person: it goes when
        # either side's workspace (or the program's) is purged
        result = self._s.execute(
            delete(PairChannelRow).where(
                or_(
                    PairChannelRow.partner_team_id == team_id,
                    PairChannelRow.program_team_id == team_id,
                )
            )
        )
        deleted["pair_channels"] += int(getattr(result, "rowcount", 0) or 0)
        return deleted

    def installed(self, team_id: str) -> bool:
        found = self._s.execute(
            select(SLACK_BOTS.c.id)
            .where(SLACK_BOTS.c.team_id == team_id, SLACK_BOTS.c.bot_token.is_not(None))
            .limit(1)
        ).first()
        return found is not None


def _removal(row: WorkspaceRemovalRow) -> WorkspaceRemoval:
    return WorkspaceRemoval(
        team_id=row.team_id,
        removed_at=row.removed_at,
        purge_after=row.purge_after,
        reason=RemovalReason(row.reason),
    )
