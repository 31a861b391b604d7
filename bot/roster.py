"""Who coordinates: the configured IDs, plus the members of a Slack user group."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.model.rules import ProgramRules

if TYPE_CHECKING:  # the ports name the services' types: imported for annotations only
    from bot.ports import CoordinatorsRead, RosterWork


class Roster:
    """The coordinators of a workspace: the settings' IDs, then the group's members."""

    def __init__(
        self,
        *,
        uow: Callable[[], RosterWork],
        rules: ProgramRules,
        group_id: str = "",
        home_team: Callable[[], str | None] | None = None,
    ) -> None:
        self._uow = uow
        self._rules = rules
        self._group_id = group_id
        self._home_team = home_team

    @property
    def group_id(self) -> str:
        return self._group_id

    def listed(self, team_id: str) -> tuple[str, ...]:
        """The settings' coordinators for this workspace.

        An entry ``T012AB:U012CD`` names a coordinator of one workspace only: an app installed
        in several workspaces must not tell one workspace's coordinators about another's. With
        ``home_team``, a bare ``U012CD`` belongs to the workspace it returns (the bot token's),
        and to none while it returns None.
        """
        home = self._home_team() if self._home_team is not None else team_id
        listed: list[str] = []
        for entry in self._rules.coordinators:
            team, _, user = entry.rpartition(":")
            if (team or home) == team_id and user not in listed:
                listed.append(user)
        return tuple(listed)

    def is_coordinator(self, team_id: str, user_id: str) -> bool:
        """Read in acks: settings first (no query), then one indexed look-up of the group."""
        if user_id and user_id in self.listed(team_id):
            return True
        if not self._group_id or not user_id:
            return False
        with self._uow() as uow:
            return uow.coordinator_groups.is_member(team_id, self._group_id, user_id)

    def of(self, uow: CoordinatorsRead, team_id: str) -> tuple[str, ...]:
        """Everyone who hears what coordinators hear, inside the caller's transaction."""
        listed = self.listed(team_id)
        if not self._group_id:
            return listed
        members = uow.coordinator_groups.members(team_id, self._group_id)
        return listed + tuple(m for m in members if m not in listed)
