"""The audit log, the directory of who takes part, and user-group members."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.model.audit import AuditEvent
from bot.model.partnership import (
    MentorRequest,
    Partnership,
    RequestStatus,
)
from bot.model.sessions import SessionLog
from bot.model.sharing import MembershipStatus
from storage.models.coordination import AuditEventRow, CoordinatorGroupMemberRow
from storage.models.journal import GoalRow, MilestoneRow
from storage.models.matching import (
    MentorProfileRow,
    MentorRequestRow,
    PartnershipRow,
)
from storage.models.outbox import ProcessedEventRow
from storage.models.programs import ProgramMembershipRow
from storage.models.sessions import SessionLogRow
from storage.rows import _LOG_ENUMS, _PARTNERSHIP_ENUMS, _REQUEST_ENUMS, _copy_into, _to_domain


class SqlAuditLog:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, event: AuditEvent) -> None:
        row = AuditEventRow()
        _copy_into(row, event)
        self._s.add(row)
        self._s.flush()

    def recent(self, team_id: str, *, limit: int) -> list[AuditEvent]:
        rows = self._s.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.team_id == team_id)
            .order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc())
            .limit(limit)
        )
        return [_to_domain(AuditEvent, row, {}) for row in rows]


class SqlDirectory:
    """Who takes part in a workspace's program, read from what they did."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def mentor_ids(self, team_id: str) -> list[str]:
        return list(
            self._s.scalars(
                select(MentorProfileRow.user_id)
                .where(MentorProfileRow.team_id == team_id)
                .order_by(MentorProfileRow.user_id)
            )
        )

    def in_program(self, team_id: str, program_id: int | None) -> set[str]:
        def of(column: Any) -> Any:
            return column.is_(None) if program_id is None else column == program_id

        mentors = select(MentorProfileRow.user_id).where(
            MentorProfileRow.team_id == team_id, of(MentorProfileRow.program_id)
        )
        mentees = select(MentorRequestRow.mentee_id).where(
            MentorRequestRow.team_id == team_id,
            MentorRequestRow.status != RequestStatus.CANCELLED.value,
            of(MentorRequestRow.program_id),
        )
        pairs = self._s.execute(
            select(PartnershipRow.mentor_id, PartnershipRow.mentee_id).where(
                PartnershipRow.team_id == team_id, of(PartnershipRow.program_id)
            )
        )
        people = set(self._s.scalars(mentors)) | set(self._s.scalars(mentees))
        for mentor_id, mentee_id in pairs:
            people |= {mentor_id, mentee_id}
        return people

    def mentee_ids(self, team_id: str) -> list[str]:
        asked = select(MentorRequestRow.mentee_id).where(
            MentorRequestRow.team_id == team_id,
            MentorRequestRow.status != RequestStatus.CANCELLED.value,
        )
        paired = select(PartnershipRow.mentee_id).where(PartnershipRow.team_id == team_id)
        return sorted(set(self._s.scalars(asked)) | set(self._s.scalars(paired)))

    def requests(self, team_id: str) -> list[MentorRequest]:
        rows = self._s.scalars(
            select(MentorRequestRow)
            .where(MentorRequestRow.team_id == team_id)
            .order_by(MentorRequestRow.id)
        )
        return [_to_domain(MentorRequest, row, _REQUEST_ENUMS) for row in rows]

    def partnerships(self, team_id: str) -> list[Partnership]:
        rows = self._s.scalars(
            select(PartnershipRow)
            .where(PartnershipRow.team_id == team_id)
            .order_by(PartnershipRow.id)
        )
        return [_to_domain(Partnership, row, _PARTNERSHIP_ENUMS) for row in rows]

    def session_logs(self, team_id: str) -> list[SessionLog]:
        rows = self._s.scalars(
            select(SessionLogRow)
            .where(SessionLogRow.team_id == team_id)
            .order_by(SessionLogRow.occurrence_start)
        )
        return [_to_domain(SessionLog, row, _LOG_ENUMS) for row in rows]

    def goals_done_since(
        self, team_id: str, since: datetime, partnership_ids: Collection[int] | None = None
    ) -> int:
        query = select(func.count()).select_from(GoalRow)
        query = query.where(GoalRow.team_id == team_id, GoalRow.done_at >= since)
        if partnership_ids is not None:
            query = query.where(GoalRow.partnership_id.in_(list(partnership_ids)))
        return int(self._s.scalar(query) or 0)

    def milestones_since(
        self, team_id: str, since: datetime, partnership_ids: Collection[int] | None = None
    ) -> int:
        query = select(func.count()).select_from(MilestoneRow)
        query = query.where(MilestoneRow.team_id == team_id, MilestoneRow.achieved_at >= since)
        if partnership_ids is not None:
            query = query.where(MilestoneRow.partnership_id.in_(list(partnership_ids)))
        return int(self._s.scalar(query) or 0)

    def mentor_ids_in(self, team_id: str, program_id: int | None) -> list[str]:
        column = MentorProfileRow.program_id
        return list(
            self._s.scalars(
                select(MentorProfileRow.user_id)
                .where(
                    MentorProfileRow.team_id == team_id,
                    column.is_(None) if program_id is None else column == program_id,
                )
                .order_by(MentorProfileRow.user_id)
            )
        )

    def guest_mentor_ids(self, team_id: str) -> set[str]:
        return set(
            self._s.scalars(
                select(MentorProfileRow.user_id).where(
                    MentorProfileRow.team_id == team_id,
                    MentorProfileRow.host_team_id.is_not(None),
                )
            )
        )

    def hosted_members(self, host_team_id: str) -> list[tuple[int, str]]:
        rows = self._s.execute(
            select(ProgramMembershipRow.program_id, ProgramMembershipRow.team_id)
            .where(
                ProgramMembershipRow.host_team_id == host_team_id,
                ProgramMembershipRow.status == MembershipStatus.ACTIVE.value,
            )
            .order_by(ProgramMembershipRow.id)
        )
        return [(int(program_id), str(team_id)) for program_id, team_id in rows]

    def teams(self) -> list[str]:
        found: set[str] = set()
        for column in (
            MentorProfileRow.team_id,
            MentorRequestRow.team_id,
            PartnershipRow.team_id,
            ProcessedEventRow.team_id,
            CoordinatorGroupMemberRow.team_id,
        ):
            found.update(self._s.scalars(select(column).distinct()))
        return sorted(t for t in found if t)


class SqlCoordinatorGroupRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def members(self, team_id: str, group_id: str) -> list[str]:
        return list(
            self._s.scalars(
                select(CoordinatorGroupMemberRow.user_id)
                .where(
                    CoordinatorGroupMemberRow.team_id == team_id,
                    CoordinatorGroupMemberRow.group_id == group_id,
                )
                .order_by(CoordinatorGroupMemberRow.user_id)
            )
        )

    def is_member(self, team_id: str, group_id: str, user_id: str) -> bool:
        return (
            self._s.scalar(
                select(CoordinatorGroupMemberRow.id).where(
                    CoordinatorGroupMemberRow.team_id == team_id,
                    CoordinatorGroupMemberRow.group_id == group_id,
                    CoordinatorGroupMemberRow.user_id == user_id,
                )
            )
            is not None
        )

    def replace(self, team_id: str, group_id: str, users: Collection[str], *, at: datetime) -> None:
        current = set(self.members(team_id, group_id))
        wanted = set(users)
        self.change(team_id, group_id, added=wanted - current, removed=current - wanted, at=at)

    def change(
        self,
        team_id: str,
        group_id: str,
        *,
        added: Collection[str],
        removed: Collection[str],
        at: datetime,
    ) -> None:
        if removed:
            self._s.execute(
                delete(CoordinatorGroupMemberRow).where(
                    CoordinatorGroupMemberRow.team_id == team_id,
                    CoordinatorGroupMemberRow.group_id == group_id,
                    CoordinatorGroupMemberRow.user_id.in_(list(removed)),
                )
            )
        for user_id in sorted(set(added) - set(removed)):
            if self.is_member(team_id, group_id, user_id):
                continue
            try:
                with self._s.begin_nested():  # an event and a refresh may add the same person
                    self._s.add(
                        CoordinatorGroupMemberRow(
                            team_id=team_id, group_id=group_id, user_id=user_id, seen_at=at
                        )
                    )
            except IntegrityError:
                continue
        self._s.flush()
