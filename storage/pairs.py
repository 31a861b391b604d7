"""Repositories of what matching decides: proposals (a mentor asked), partnerships, cohort
plans. Each person's own rows are found by their own workspace (``mentee_team_id``,
``mentor_team_id``); the pool itself (profiles, the index's version) is in
``storage.matching``, the requests in ``storage.requests``."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    Text,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.model.cohort import CohortPlan, PlannedPair, PlanStatus
from bot.model.partnership import (
    MatchProposal,
    Partnership,
    PartnershipStatus,
    ProposalStatus,
)
from storage.models.matching import (
    CohortPlanRow,
    MatchProposalRow,
    PartnershipRow,
)
from storage.rows import _PARTNERSHIP_ENUMS, _PROPOSAL_ENUMS, _save, _to_domain


class SqlProposalRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(
        self, team_id: str, proposal_id: int, *, for_update: bool = False
    ) -> MatchProposal | None:
        row = self._s.get(
            MatchProposalRow,
            proposal_id,
            with_for_update=True if for_update else None,
            populate_existing=for_update,
        )
        if row is None or team_id not in (row.team_id, row.mentee_team_id, row.mentor_team_id):
            return None
        return _to_domain(MatchProposal, row, _PROPOSAL_ENUMS)

    def save(self, proposal: MatchProposal) -> MatchProposal:
        _save(self._s, MatchProposalRow, proposal)
        return proposal

    def for_mentee(self, team_id: str, mentee_id: str) -> list[MatchProposal]:
        rows = self._s.scalars(
            select(MatchProposalRow)
            .where(
                MatchProposalRow.mentee_team_id == team_id, MatchProposalRow.mentee_id == mentee_id
            )
            .order_by(MatchProposalRow.id)
        )
        return [_to_domain(MatchProposal, row, _PROPOSAL_ENUMS) for row in rows]

    def for_mentees(self, team_id: str, mentee_ids: Collection[str]) -> list[MatchProposal]:
        found: list[MatchProposal] = []
        for chunk in _chunks(self._s, mentee_ids):
            rows = self._s.scalars(
                select(MatchProposalRow)
                .where(
                    MatchProposalRow.mentee_team_id == team_id,
                    _among(self._s, MatchProposalRow.mentee_id, chunk),
                )
                .order_by(MatchProposalRow.id)
            )
            found += [_to_domain(MatchProposal, row, _PROPOSAL_ENUMS) for row in rows]
        return found

    def pending_by_mentor(self, team_id: str) -> dict[str, int]:
        rows = self._s.execute(
            select(MatchProposalRow.mentor_id, func.count())
            .where(
                MatchProposalRow.mentor_team_id == team_id,
                MatchProposalRow.status == ProposalStatus.PENDING.value,
            )
            .group_by(MatchProposalRow.mentor_id)
        )
        return {mentor_id: count for mentor_id, count in rows}

    def for_mentor(self, team_id: str, mentor_id: str) -> list[MatchProposal]:
        rows = self._s.scalars(
            select(MatchProposalRow)
            .where(
                MatchProposalRow.mentor_team_id == team_id, MatchProposalRow.mentor_id == mentor_id
            )
            .order_by(MatchProposalRow.id)
        )
        return [_to_domain(MatchProposal, row, _PROPOSAL_ENUMS) for row in rows]

    def answered_since(self, team_id: str, since: datetime) -> list[MatchProposal]:
        rows = self._s.scalars(
            select(MatchProposalRow)
            .where(
                MatchProposalRow.team_id == team_id,
                MatchProposalRow.answered_at >= since,
            )
            .order_by(MatchProposalRow.answered_at, MatchProposalRow.id)
        )
        return [_to_domain(MatchProposal, row, _PROPOSAL_ENUMS) for row in rows]


IN_LIST = 5_000
"""Ids bound in one ``IN (...)`` on SQLite: far below its limit on parameters, so a cohort
of 10,000 is two statements, not one per person."""


def _chunks(session: Session, ids: Collection[str]) -> list[list[str]]:
    """The ids in batches: one on PostgreSQL (``_among`` binds them as one array)."""
    unique = sorted(set(ids))
    if _postgres(session):
        return [unique] if unique else []
    return [unique[n : n + IN_LIST] for n in range(0, len(unique), IN_LIST)]


def _among(
    session: Session, column: InstrumentedAttribute[str], ids: list[str]
) -> ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL as ``column = ANY(...)`` of one parameter: an ``IN``
    list of 5,000 placeholders was rendered and converted by SQLAlchemy and the driver each
    time (10,000 mentees: 0.46 s of the cohort's CPU). The IDs go as one comma-joined text
    split by the server: the driver quotes an array's every element with a regex search
    (10,000 IDs: 8 ms a read); IDs that would not split back (with a comma in one, or an
    empty one) go as an array."""
    if not _postgres(session):
        return column.in_(ids)
    if any("," in i or not i for i in ids):
        return column == func.any(bindparam("mentee_ids", ids, type_=ARRAY(String)))
    joined = bindparam("mentee_ids", ",".join(ids), type_=Text)
    return column == func.any(func.string_to_array(joined, ","))


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_TAKES_A_SLOT = (PartnershipStatus.ACTIVE.value, PartnershipStatus.PAUSED.value)


class SqlPartnershipRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, partnership_id: int) -> Partnership | None:
        row = self._s.get(PartnershipRow, partnership_id)
        if row is None or team_id not in (row.team_id, row.mentee_team_id, row.mentor_team_id):
            return None
        return _to_domain(Partnership, row, _PARTNERSHIP_ENUMS)

    def save(self, partnership: Partnership) -> Partnership:
        _save(self._s, PartnershipRow, partnership)
        return partnership

    def for_member(self, team_id: str, user_id: str) -> list[Partnership]:
        rows = self._s.scalars(
            select(PartnershipRow)
            .where(
                or_(
                    and_(
                        PartnershipRow.mentor_team_id == team_id,
                        PartnershipRow.mentor_id == user_id,
                    ),
                    and_(
                        PartnershipRow.mentee_team_id == team_id,
                        PartnershipRow.mentee_id == user_id,
                    ),
                ),
            )
            .order_by(PartnershipRow.id)
        )
        return [_to_domain(Partnership, row, _PARTNERSHIP_ENUMS) for row in rows]

    def of_mentees(self, team_id: str, mentee_ids: Collection[str]) -> list[Partnership]:
        found: list[Partnership] = []
        for chunk in _chunks(self._s, mentee_ids):
            rows = self._s.scalars(
                select(PartnershipRow)
                .where(
                    PartnershipRow.mentee_team_id == team_id,
                    _among(self._s, PartnershipRow.mentee_id, chunk),
                )
                .order_by(PartnershipRow.id)
            )
            found += [_to_domain(Partnership, row, _PARTNERSHIP_ENUMS) for row in rows]
        return found

    def active_by_mentor(self, team_id: str) -> dict[str, int]:
        rows = self._s.execute(
            select(PartnershipRow.mentor_id, func.count())
            .where(
                PartnershipRow.mentor_team_id == team_id,
                PartnershipRow.status.in_(_TAKES_A_SLOT),
            )
            .group_by(PartnershipRow.mentor_id)
        )
        return {mentor_id: count for mentor_id, count in rows}

    def live(self, *, after_id: int = 0, limit: int | None = None) -> list[Partnership]:
        rows = self._s.scalars(
            select(PartnershipRow)
            .where(PartnershipRow.status.in_(_TAKES_A_SLOT), PartnershipRow.id > after_id)
            .order_by(PartnershipRow.id)
            .limit(limit)
        )
        return [_to_domain(Partnership, row, _PARTNERSHIP_ENUMS) for row in rows]


class SqlCohortPlanRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, plan_id: int) -> CohortPlan | None:
        row = self._s.get(CohortPlanRow, plan_id)
        if row is None or row.team_id != team_id:
            return None
        return _plan(row)

    def save(self, plan: CohortPlan) -> CohortPlan:
        row = self._s.get(CohortPlanRow, plan.id) if plan.id is not None else None
        if row is None:
            row = CohortPlanRow()
            self._s.add(row)
        _copy_plan(row, plan)
        self._s.flush()
        plan.id = row.id
        return plan

    def start(self, plan: CohortPlan) -> bool:
        """In a savepoint: the partial unique index refuses a second plan being planned, and
        the transaction goes on (on PostgreSQL the insert waits for a rival's commit)."""
        row = CohortPlanRow()
        _copy_plan(row, plan)
        try:
            with self._s.begin_nested():
                self._s.add(row)
        except IntegrityError:
            return False
        plan.id = row.id
        return True

    def planning(self, team_id: str) -> CohortPlan | None:
        row = self._s.scalar(
            select(CohortPlanRow).where(
                CohortPlanRow.team_id == team_id,
                CohortPlanRow.status == PlanStatus.PLANNING.value,
            )
        )
        return None if row is None else _plan(row)


def _plan(row: CohortPlanRow) -> CohortPlan:
    return CohortPlan(
        team_id=row.team_id,
        created_by=row.created_by,
        created_at=row.created_at,
        pairs=[PlannedPair.from_json(p) for p in row.pairs],
        unmatched=list(row.unmatched),
        total_fit=row.total_fit,
        id=row.id,
        status=PlanStatus(row.status),
        include_choosing=row.include_choosing,
    )


def _copy_plan(row: CohortPlanRow, plan: CohortPlan) -> None:
    row.team_id, row.created_by, row.created_at = plan.team_id, plan.created_by, plan.created_at
    row.pairs = [p.as_json() for p in plan.pairs]
    row.unmatched = list(plan.unmatched)
    row.total_fit = plan.total_fit
    row.status = plan.status.value
    row.include_choosing = plan.include_choosing
