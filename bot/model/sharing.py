"""A program shared across workspaces: the host's join codes and the member workspaces.

Nouns only; the rules are in ``bot.programs.sharing``. Every row names its owner's workspace
in ``team_id``: a join code is the host's (the host made it, and the host's uninstall takes
it), a membership is the member's (its coordinator accepted, and it governs that workspace's
people's data), pointing at the host's program by ``host_team_id`` and ``program_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.model.programs import Program


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"  # by the host; the row stays for the audit and a later rejoin


@dataclass
class JoinCode:
    """A one-time code the host's coordinator gives another workspace's coordinator.

    Only the code's hash is stored: whoever reads the database cannot join with it.
    """

    team_id: str  # the host workspace
    program_id: int
    code_hash: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_by_team_id: str | None = None
    used_by: str | None = None
    used_at: datetime | None = None
    revoked_by: str | None = None
    revoked_at: datetime | None = None
    id: int | None = None

    def open_at(self, now: datetime) -> bool:
        """Whether it can still be used: not used, not revoked, not expired."""
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


@dataclass
class ProgramMembership:
    """A workspace taking part in another workspace's program."""

    team_id: str  # the member workspace
    host_team_id: str
    program_id: int
    accepted_by: str  # the member's coordinator who accepted the terms
    accepted_at: datetime
    join_code_id: int | None = None
    status: MembershipStatus = MembershipStatus.ACTIVE
    removed_by: str | None = None  # the host's coordinator
    removed_at: datetime | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.status is MembershipStatus.ACTIVE


@dataclass(frozen=True)
class JoinOffer:
    """What a joining coordinator is shown before accepting: the program and its host."""

    program: Program
    host_name: str
    expires_at: datetime


@dataclass(frozen=True)
class MemberWorkspace:
    """A member workspace as the host's coordinator sees it."""

    membership: ProgramMembership
    name: str


@dataclass(frozen=True)
class JoinedProgram:
    """A program of another workspace this one takes part in."""

    membership: ProgramMembership
    program_name: str
    host_name: str
    program: Program | None = None  # the host's, for its rules and focus areas
