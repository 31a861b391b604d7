"""Programs shared across workspaces: the host's join codes, the member workspaces."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from bot.model.partnership import (
    MatchProposal,
    MentorRequest,
    Partnership,
    ProposalStatus,
    RequestStatus,
)
from bot.model.sharing import JoinCode, MembershipStatus, ProgramMembership
from storage.models.matching import (
    MatchProposalRow,
    MentorProfileRow,
    MentorRequestRow,
    PartnershipRow,
)
from storage.models.programs import ProgramJoinCodeRow, ProgramMembershipRow
from storage.models.workspaces import SLACK_BOTS
from storage.rows import _PARTNERSHIP_ENUMS, _PROPOSAL_ENUMS, _REQUEST_ENUMS, _save, _to_domain

_MEMBERSHIP_ENUMS: dict[str, type[StrEnum]] = {"status": MembershipStatus}


class SqlSharingRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # -- join codes ------------------------------------------------------------------------

    def add_code(self, code: JoinCode) -> JoinCode:
        _save(self._s, ProgramJoinCodeRow, code)
        return code

    def code_by_hash(self, code_hash: str) -> JoinCode | None:
        row = self._s.scalar(
            select(ProgramJoinCodeRow).where(ProgramJoinCodeRow.code_hash == code_hash)
        )
        return _to_domain(JoinCode, row, {}) if row is not None else None

    def code(self, team_id: str, code_id: int) -> JoinCode | None:
        row = self._s.get(ProgramJoinCodeRow, code_id, populate_existing=True)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(JoinCode, row, {})

    def open_codes(self, team_id: str, program_id: int, *, now: datetime) -> list[JoinCode]:
        rows = self._s.scalars(
            select(ProgramJoinCodeRow)
            .where(
                ProgramJoinCodeRow.team_id == team_id,
                ProgramJoinCodeRow.program_id == program_id,
                ProgramJoinCodeRow.used_at.is_(None),
                ProgramJoinCodeRow.revoked_at.is_(None),
                ProgramJoinCodeRow.expires_at > now,
            )
            .order_by(ProgramJoinCodeRow.id)
        )
        return [_to_domain(JoinCode, row, {}) for row in rows]

    def use_code(self, code_id: int, *, team_id: str, user_id: str, at: datetime) -> bool:
        result = self._s.execute(
            update(ProgramJoinCodeRow)
            .where(
                ProgramJoinCodeRow.id == code_id,
                ProgramJoinCodeRow.used_at.is_(None),
                ProgramJoinCodeRow.revoked_at.is_(None),
                ProgramJoinCodeRow.expires_at > at,
            )
            .values(used_by_team_id=team_id, used_by=user_id, used_at=at)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def revoke_code(self, team_id: str, code_id: int, *, by: str, at: datetime) -> bool:
        result = self._s.execute(
            update(ProgramJoinCodeRow)
            .where(
                ProgramJoinCodeRow.id == code_id,
                ProgramJoinCodeRow.team_id == team_id,
                ProgramJoinCodeRow.used_at.is_(None),
                ProgramJoinCodeRow.revoked_at.is_(None),
            )
            .values(revoked_by=by, revoked_at=at)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    # -- memberships -----------------------------------------------------------------------

    def membership(
        self, team_id: str, *, host_team_id: str, program_id: int
    ) -> ProgramMembership | None:
        row = self._s.scalar(
            select(ProgramMembershipRow).where(
                ProgramMembershipRow.team_id == team_id,
                ProgramMembershipRow.host_team_id == host_team_id,
                ProgramMembershipRow.program_id == program_id,
            )
        )
        return self._membership(row)

    def hosted_membership(self, host_team_id: str, membership_id: int) -> ProgramMembership | None:
        row = self._s.get(ProgramMembershipRow, membership_id)
        if row is None or row.host_team_id != host_team_id:
            return None
        return self._membership(row)

    def save_membership(self, membership: ProgramMembership) -> ProgramMembership:
        _save(self._s, ProgramMembershipRow, membership)
        return membership

    def members(self, host_team_id: str, program_id: int) -> list[ProgramMembership]:
        rows = self._s.scalars(
            select(ProgramMembershipRow)
            .where(
                ProgramMembershipRow.host_team_id == host_team_id,
                ProgramMembershipRow.program_id == program_id,
            )
            .order_by(ProgramMembershipRow.id)
        )
        return [_to_domain(ProgramMembership, row, _MEMBERSHIP_ENUMS) for row in rows]

    def hosted(self, host_team_id: str) -> list[ProgramMembership]:
        return self._active(ProgramMembershipRow.host_team_id == host_team_id)

    def joined(self, team_id: str) -> list[ProgramMembership]:
        return self._active(ProgramMembershipRow.team_id == team_id)

    # -- a member workspace's people in a host's program ----------------------------------

    def pairs_with(self, host_team_id: str, program_id: int, team_id: str) -> list[Partnership]:
        rows = self._s.scalars(
            select(PartnershipRow)
            .where(
                PartnershipRow.team_id == host_team_id,
                PartnershipRow.program_id == program_id,
                or_(
                    PartnershipRow.mentee_team_id == team_id,
                    PartnershipRow.mentor_team_id == team_id,
                ),
            )
            .order_by(PartnershipRow.id)
        )
        return [_to_domain(Partnership, row, _PARTNERSHIP_ENUMS) for row in rows]

    def requests_of(self, team_id: str, host_team_id: str, program_id: int) -> list[MentorRequest]:
        rows = self._s.scalars(
            select(MentorRequestRow)
            .where(
                MentorRequestRow.team_id == team_id,
                MentorRequestRow.host_team_id == host_team_id,
                MentorRequestRow.program_id == program_id,
            )
            .order_by(MentorRequestRow.id)
        )
        return [_to_domain(MentorRequest, row, _REQUEST_ENUMS) for row in rows]

    def pending_proposals_with(
        self, host_team_id: str, program_id: int, team_id: str
    ) -> list[MatchProposal]:
        in_program = select(MentorRequestRow.id).where(
            MentorRequestRow.program_id == program_id,
            or_(
                MentorRequestRow.host_team_id == host_team_id,
                and_(
                    MentorRequestRow.team_id == host_team_id,
                    MentorRequestRow.host_team_id.is_(None),
                ),
            ),
            MentorRequestRow.status != RequestStatus.CANCELLED.value,
        )
        rows = self._s.scalars(
            select(MatchProposalRow)
            .where(
                MatchProposalRow.status == ProposalStatus.PENDING.value,
                MatchProposalRow.request_id.in_(in_program),
                or_(
                    MatchProposalRow.mentee_team_id == team_id,
                    MatchProposalRow.mentor_team_id == team_id,
                ),
            )
            .order_by(MatchProposalRow.id)
        )
        return [_to_domain(MatchProposal, row, _PROPOSAL_ENUMS) for row in rows]

    def remove_profiles(self, team_id: str, host_team_id: str, program_id: int) -> int:
        result = self._s.execute(
            delete(MentorProfileRow).where(
                MentorProfileRow.team_id == team_id,
                MentorProfileRow.host_team_id == host_team_id,
                MentorProfileRow.program_id == program_id,
            ),
            execution_options={"synchronize_session": False},
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def _active(self, where: ColumnElement[bool]) -> list[ProgramMembership]:
        rows = self._s.scalars(
            select(ProgramMembershipRow)
            .where(where, ProgramMembershipRow.status == MembershipStatus.ACTIVE.value)
            .order_by(ProgramMembershipRow.id)
        )
        return [_to_domain(ProgramMembership, row, _MEMBERSHIP_ENUMS) for row in rows]

    @staticmethod
    def _membership(row: ProgramMembershipRow | None) -> ProgramMembership | None:
        return _to_domain(ProgramMembership, row, _MEMBERSHIP_ENUMS) if row is not None else None

    def workspace_name(self, team_id: str) -> str | None:
        name = self._s.scalar(
            select(SLACK_BOTS.c.team_name)
            .where(SLACK_BOTS.c.team_id == team_id, SLACK_BOTS.c.team_name.is_not(None))
            .order_by(SLACK_BOTS.c.installed_at.desc())
            .limit(1)
        )
        return str(name) if name else None
