"""A pair's own channel across two workspaces (Slack Connect), and where it stands.

A pair whose two people live in different workspaces cannot share a group DM: Slack's
conversations never span workspaces except as Slack Connect channels. So the workspace that
hosts the channel (the program's, when one of the pair lives there) creates a private channel,
adds its own person, and invites the partner with ``conversations.inviteShared``; the partner
accepts in their own Slack, and an admin of either side may have to approve it. Until it is
ready, and for good when it cannot be (a free plan, a scope or a policy missing, a decline),
the pair meets through each person's DM with the bot and the calendar invite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PairChannelStatus(StrEnum):
    SETTING_UP = "setting_up"  # the job has begun: the channel, the host's person, the invite
    INVITED = "invited"  # the partner's invitation is out: waiting for them to accept it
    ACCEPTED = "accepted"  # accepted; an admin must still approve the connection
    READY = "ready"  # accepted and approved (or no approval needed): the pair meets there
    DECLINED = "declined"  # the partner (or an admin) said no: DMs and the calendar instead
    FAILED = "failed"  # Slack could not do it (plan, scope, policy): DMs and the calendar
    CLOSED = "closed"  # the partnership ended: a closing word posted, archived if Slack let us

    @property
    def settled(self) -> bool:
        """Nothing more will happen to the channel by itself."""
        return self in (
            PairChannelStatus.READY,
            PairChannelStatus.DECLINED,
            PairChannelStatus.FAILED,
            PairChannelStatus.CLOSED,
        )

    @property
    def fell_back(self) -> bool:
        return self in (PairChannelStatus.DECLINED, PairChannelStatus.FAILED)


@dataclass
class PairChannel:
    """The meeting place of one partnership across workspaces, owned by the workspace that
    hosts the channel (``team_id``); ``program_team_id`` is the partnership's own team_id, by
    which it is found (``uow.partnerships.get``)."""

    team_id: str
    partnership_id: int
    program_team_id: str
    host_user_id: str  # the pair's person in the channel's workspace: added directly
    partner_team_id: str  # the other person's own workspace: invited with Slack Connect
    partner_user_id: str
    name: str  # the channel's name, made from the pair's names and the partnership's ID
    host_name: str = ""  # each person's name as their own Slack gave it, for the DMs
    partner_name: str = ""
    status: PairChannelStatus = PairChannelStatus.SETTING_UP
    channel_id: str = ""  # follows ``channel_id_changed``
    host_added: bool = False
    invite_id: str = ""
    reason: str = ""  # Slack's error code, or "declined", when it fell back
    attempts: int = 0  # runs of the set-up job that Slack asked to wait (429, 5xx)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None
