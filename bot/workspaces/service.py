"""Workspaces that leave and come back: what is kept, for how long, and when it goes.

A workspace that uninstalls the app (or revokes its bot token) is recorded as removed: nothing
more is sent there (its pending outbox rows are suspended), and its program data is kept for
the retention period in case it comes back. Reinstalling within that period resumes it as it
was; after it, every row the workspace owns is deleted."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.errors import NotFound

if TYPE_CHECKING:  # the ports speak of workspace removals, so import them only for typing
    from bot.ports import WorkspacesWork
from bot.model.workspaces import PurgeReport, RemovalReason, WorkspaceRemoval

log = logging.getLogger(__name__)


class WorkspaceService:
    def __init__(
        self,
        *,
        uow: Callable[[], WorkspacesWork],
        clock: Clock,
        retention: timedelta,
        leave_programs: Callable[[WorkspacesWork, str, datetime], object] | None = None,
    ) -> None:
        """``leave_programs``: in the removal's transaction, the workspace leaves every other
        workspace's program it joined (``bot.programs.leaving``): its partners elsewhere are
        told and rematched, its people's data there goes."""
        self._uow = uow
        self._clock = clock
        self._retention = retention
        self._leave_programs = leave_programs

    def removed(self, team_id: str, reason: RemovalReason) -> WorkspaceRemoval:
        """Stop sending to the workspace and start its retention period.

        Slack sends both ``tokens_revoked`` and ``app_uninstalled`` for one uninstall, and
        retries events: the first removal counts, later ones neither extend nor repeat it.
        """
        with self._uow() as uow:
            known = uow.workspaces.removal(team_id)
            if known is not None:
                return known
            now = self._clock.now()
            removal = WorkspaceRemoval(
                team_id=team_id, removed_at=now, purge_after=now + self._retention, reason=reason
            )
            uow.workspaces.record_removal(removal)
            suspended = uow.outbox.suspend(team_id)
            if self._leave_programs is not None:
                self._leave_programs(uow, team_id, now)
            uow.commit()
        log.info(
            "workspace %s removed (%s): %d pending messages suspended, data kept until %s",
            team_id,
            reason.value,
            suspended,
            removal.purge_after.isoformat(),
        )
        return removal

    def reinstalled(self, team_id: str) -> bool:
        """The workspace installed the app again: cancel its purge and resume what was
        suspended. False if it was not removed (a first install, or an update of scopes)."""
        with self._uow() as uow:
            if uow.workspaces.removal(team_id) is None:
                return False
            uow.workspaces.forget_removal(team_id)
            resumed = uow.outbox.resume(team_id)
            uow.commit()
        log.info("workspace %s came back: purge cancelled, %d messages resumed", team_id, resumed)
        return True

    def removals(self) -> list[WorkspaceRemoval]:
        with self._uow() as uow:
            return uow.workspaces.removals()

    def purge_due(self, now: datetime | None = None) -> list[PurgeReport]:
        """Delete the data of every removed workspace whose retention has ended by ``now``."""
        at = now or self._clock.now()
        with self._uow() as uow:
            due = [r.team_id for r in uow.workspaces.removals() if r.purge_after <= at]
        return [self._purge(team_id) for team_id in due]

    def purge(self, team_id: str) -> PurgeReport:
        """Delete a removed workspace's data now, before its retention ends."""
        with self._uow() as uow:
            if uow.workspaces.removal(team_id) is None:
                raise NotFound(
                    f"{team_id} is not a removed workspace: only the data of a workspace that "
                    "uninstalled the app is purged."
                )
        return self._purge(team_id)

    def _purge(self, team_id: str) -> PurgeReport:
        with self._uow() as uow:
            if uow.workspaces.removal(team_id) is None:  # came back meanwhile
                return PurgeReport(team_id=team_id, rows={})
            if uow.workspaces.installed(team_id):
                # Installed again, but the removal outlived it (the return was saved and then
                # the database failed): an installation always wins over a purge.
                uow.workspaces.forget_removal(team_id)
                uow.outbox.resume(team_id)
                uow.commit()
                log.warning("workspace %s is installed again: its purge was cancelled", team_id)
                return PurgeReport(team_id=team_id, rows={})
            rows = uow.workspaces.purge(team_id)
            uow.commit()
        report = PurgeReport(team_id=team_id, rows={t: n for t, n in rows.items() if n})
        log.info("workspace %s purged: %d rows deleted", team_id, report.total)
        return report
