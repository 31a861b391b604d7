"""Who the program's coordinators are: the settings' list, and the members of a Slack user group.

Deciding who may run a coordinator command happens in the ack, within Slack's 3 seconds, so it
only ever reads the database's copy of the group: Slack is never asked while someone waits.
That copy is kept by stored jobs (a round at start-up and every hour, one read of the group per
workspace, again after ``Retry-After`` when Slack is busy) and by the ``subteam_members_changed``
event as it happens. When Slack fails, the last membership seen stays: nobody is locked out,
or let in, by an outage."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.model.kinds import Kind
from bot.model.messages.coordination import GroupRound, GroupSync
from bot.model.outbox import OutgoingMessage

if TYPE_CHECKING:  # the ports name the services' types: imported for annotations only
    from bot.ports import CoordinationWork, UserGroups


log = logging.getLogger(__name__)


SYNC_EVERY = timedelta(hours=1)


MAX_RETRIES = 3  # after a 429 within one round; the next round tries again anyway


MIN_RETRY = timedelta(seconds=30)


ROUNDS = ""
"""The round is not a workspace's: it looks for every workspace the bot knows."""


def _slot(at: datetime) -> str:
    return at.replace(minute=0, second=0, microsecond=0).strftime("%Y%m%dT%H")


class CoordinatorGroupSync:
    """Keeps the database's copy of the coordinators' user group as Slack has it."""

    def __init__(
        self,
        *,
        uow: Callable[[], CoordinationWork],
        clock: Clock,
        group_id: str = "",
        groups: UserGroups | None = None,
        every: timedelta = SYNC_EVERY,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._group_id = group_id
        self._groups = groups
        self._every = every

    @property
    def enabled(self) -> bool:
        return bool(self._group_id and self._groups is not None)

    def start(self) -> None:
        """At start-up: a round now. Keyed by the hour, so replicas and restarts add one."""
        if not self.enabled:
            return
        now = self._clock.now()
        with self._uow() as uow:
            self._plan_round(uow, now)
            uow.commit()

    def round(self, uow: CoordinationWork, message: OutgoingMessage, now: datetime) -> None:
        """A job: read the group for every workspace, and plan the next round."""
        if not self.enabled or message.payload_as(GroupRound).group_id != self._group_id:
            return  # the setting changed since: the new group has its own rounds
        for team_id in uow.directory.teams():
            self._plan_sync(uow, team_id, now, key=f"coordinators:group:{_slot(now)}")
        self._plan_round(uow, max(message.due_at, now) + self._every)  # no catch-up burst

    def sync(self, uow: CoordinationWork, message: OutgoingMessage, now: datetime) -> None:
        """A job: one workspace's group from Slack, asked before the transaction reads."""
        job = message.payload_as(GroupSync)
        if not self.enabled or job.group_id != self._group_id:
            return
        assert self._groups is not None
        team_id = message.team_id
        answer = self._groups.members(team_id, self._group_id)
        if answer.ok:
            uow.coordinator_groups.replace(team_id, self._group_id, answer.users, at=now)
            return
        log.warning(
            "coordinator group %s of %s not read (%s): the last members seen stay",
            self._group_id,
            team_id,
            answer.error,
        )
        retries = job.retry
        if answer.retry_after is not None and retries < MAX_RETRIES:
            wait = max(MIN_RETRY, timedelta(seconds=answer.retry_after))
            self._plan_sync(
                uow,
                team_id,
                now + wait,
                key=f"{message.key.split(':retry')[0]}:retry{retries + 1}",
                retry=retries + 1,
            )

    def look_again(self, team_id: str) -> None:
        """Someone not (yet) known as a coordinator tried a coordinator command: read the group
        for this workspace soon (a new install, or an event that never came). At most once
        every few minutes per workspace, by the key."""
        if not self.enabled or not team_id:
            return
        now = self._clock.now()
        bucket = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
        with self._uow() as uow:
            self._plan_sync(uow, team_id, now, key=f"coordinators:asked:{bucket:%Y%m%dT%H%M}")
            uow.commit()

    def members_changed(
        self,
        *,
        team_id: str,
        group_id: str,
        added: Collection[str],
        removed: Collection[str],
    ) -> bool:
        """The ``subteam_members_changed`` event: applied at once, no Slack call needed.
        False for another group (the workspace has many; only ours counts)."""
        if not self._group_id or group_id != self._group_id:
            return False
        with self._uow() as uow:
            uow.coordinator_groups.change(
                team_id, group_id, added=added, removed=removed, at=self._clock.now()
            )
            uow.commit()
        return True

    def _plan_round(self, uow: CoordinationWork, at: datetime) -> None:
        uow.outbox.add(
            OutgoingMessage(
                team_id=ROUNDS,
                kind=Kind.COORDINATOR_GROUP_ROUND,
                recipient="",
                key=f"coordinators:group-round:{self._group_id}:{_slot(at)}",
                due_at=at,
                payload=GroupRound(group_id=self._group_id),
            )
        )

    def _plan_sync(
        self, uow: CoordinationWork, team_id: str, at: datetime, *, key: str, retry: int = 0
    ) -> None:
        uow.outbox.add(
            OutgoingMessage(
                team_id=team_id,
                kind=Kind.COORDINATOR_GROUP_SYNC,
                recipient="",
                key=key,
                due_at=at,
                payload=GroupSync(group_id=self._group_id, retry=retry),
            )
        )
