"""Workspaces that removed the app, waiting out their retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the ports speak of workspace removals, so import them only for typing
    pass


class RemovalReason(StrEnum):
    UNINSTALLED = "app_uninstalled"
    TOKENS_REVOKED = "tokens_revoked"


@dataclass(frozen=True)
class WorkspaceRemoval:
    team_id: str
    removed_at: datetime
    purge_after: datetime
    reason: RemovalReason


@dataclass(frozen=True)
class PurgeReport:
    team_id: str
    rows: dict[str, int]
    """Rows deleted, by table (tables with none left out)."""

    @property
    def total(self) -> int:
        return sum(self.rows.values())
