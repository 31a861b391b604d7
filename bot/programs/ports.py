"""What sharing a program needs from storage beyond the shared unit of work: join codes and
memberships, and the names workspaces were installed under."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.model.partnership import MatchProposal, MentorRequest, Partnership
from bot.model.sharing import JoinCode, ProgramMembership
from bot.ports import (
    AuditLog,
    CoordinatorGroupRepository,
    Outbox,
    PartnershipRepository,
    PersonalData,
    ProgramRepository,
    ProposalRepository,
    RequestRepository,
    SuggestWork,
    Transaction,
    WorkspaceRepository,
)


class SharingRepository(Protocol):
    def add_code(self, code: JoinCode) -> JoinCode: ...
    def code_by_hash(self, code_hash: str) -> JoinCode | None:
        """Across workspaces on purpose: the code is what names the host."""
        ...

    def code(self, team_id: str, code_id: int) -> JoinCode | None: ...
    def open_codes(self, team_id: str, program_id: int, *, now: datetime) -> list[JoinCode]: ...
    def use_code(self, code_id: int, *, team_id: str, user_id: str, at: datetime) -> bool:
        """Spend an open code for ``team_id``; False when another request spent or revoked it
        first (one conditional update, so two accepts racing join once)."""
        ...

    def revoke_code(self, team_id: str, code_id: int, *, by: str, at: datetime) -> bool:
        """False when it was already used or revoked."""
        ...

    def membership(
        self, team_id: str, *, host_team_id: str, program_id: int
    ) -> ProgramMembership | None: ...
    def hosted_membership(self, host_team_id: str, membership_id: int) -> ProgramMembership | None:
        """A membership of one of the host's programs, by ID (None if not the host's)."""
        ...

    def save_membership(self, membership: ProgramMembership) -> ProgramMembership: ...
    def members(self, host_team_id: str, program_id: int) -> list[ProgramMembership]:
        """Every membership of the program, removed ones too, oldest first."""
        ...

    def hosted(self, host_team_id: str) -> list[ProgramMembership]:
        """The active memberships of all the host's programs."""
        ...

    def joined(self, team_id: str) -> list[ProgramMembership]:
        """The active memberships of this workspace in other workspaces' programs."""
        ...

    def workspace_name(self, team_id: str) -> str | None:
        """The name the workspace was installed under, if Slack gave one."""
        ...

    def pairs_with(self, host_team_id: str, program_id: int, team_id: str) -> list[Partnership]:
        """The host program's partnerships with a person of ``team_id`` in them, any state."""
        ...

    def requests_of(self, team_id: str, host_team_id: str, program_id: int) -> list[MentorRequest]:
        """The requests ``team_id``'s people made in the host's program, any state."""
        ...

    def pending_proposals_with(
        self, host_team_id: str, program_id: int, team_id: str
    ) -> list[MatchProposal]:
        """Unanswered proposals of the program with a person of ``team_id`` on either side."""
        ...

    def remove_profiles(self, team_id: str, host_team_id: str, program_id: int) -> int:
        """Delete ``team_id``'s people's mentor profiles in the host's program."""
        ...


class SharingWork(Transaction, Protocol):
    programs: ProgramRepository
    sharing: SharingRepository
    audit: AuditLog
    workspaces: WorkspaceRepository


class LeavingWork(SharingWork, SuggestWork, Protocol):
    """A workspace leaving a program: its pairs end, its partners are rematched, the
    coordinators on both sides are told, its people's data there goes."""

    people: PersonalData
    outbox: Outbox
    coordinator_groups: CoordinatorGroupRepository
    partnerships: PartnershipRepository
    requests: RequestRepository
    proposals: ProposalRepository
