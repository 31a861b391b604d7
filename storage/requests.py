"""The mentees' requests: the open one a modal starts from, and the waiting ones a cohort
plans, read through Core with their lists parsed at once. The mentor pool is in
``storage.matching``."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from bot.model.partnership import AskOpening, MentorRequest, PartnershipStatus, RequestStatus
from bot.model.sharing import MembershipStatus
from storage.models.matching import MentorProfileRow, MentorRequestRow, PartnershipRow
from storage.models.programs import ProgramMembershipRow
from storage.models.zones import PersonZoneRow
from storage.rows import _REQUEST_ENUMS, _save, _to_domain, json_loads

_REQUEST_COLUMNS = tuple(
    f.name for f in dataclasses.fields(MentorRequest) if f.metadata.get("stored") is not False
)
# Every field is a column, in order: a row's values are the dataclass's arguments as they stand
# (a mapping per row cost 5x as much: 55 ms of CPU at 10,000 requests, now 12).
_REQUEST_IN_ORDER = tuple(f.name for f in dataclasses.fields(MentorRequest)) == _REQUEST_COLUMNS
_STATUS_AT = _REQUEST_COLUMNS.index("status")
_LISTS_AT = (_REQUEST_COLUMNS.index("focus_areas"), _REQUEST_COLUMNS.index("languages"))
_REQUEST_STATUSES = {status.value: status for status in RequestStatus}
_ACTIVE_MEMBER = MembershipStatus.ACTIVE.value


def _request_columns() -> tuple[Any, ...]:
    """``in_status``'s columns, in the dataclass's order, the two JSON lists as text: one
    JSON parse for all the rows is several times faster than the driver's decode per cell."""
    row = MentorRequestRow
    return tuple(
        cast(getattr(row, name), Text)
        if name in ("focus_areas", "languages")
        else getattr(row, name)
        for name in _REQUEST_COLUMNS
    )


def _requests_of(rows: Sequence[Sequence[Any]]) -> list[MentorRequest]:
    """Requests from ``_request_columns`` rows (each list fresh from the one parse)."""
    if not rows:
        return []
    focus_at, languages_at = _LISTS_AT
    lists = json_loads("[" + ",".join(f"{r[focus_at]},{r[languages_at]}" for r in rows) + "]")
    found = []
    for n, row in enumerate(rows):
        values = list(row)
        values[focus_at], values[languages_at] = lists[2 * n], lists[2 * n + 1]
        values[_STATUS_AT] = _REQUEST_STATUSES[values[_STATUS_AT]]
        found.append(
            MentorRequest(*values)
            if _REQUEST_IN_ORDER
            else MentorRequest(**dict(zip(_REQUEST_COLUMNS, values, strict=True)))
        )
    return found


_LIVE = (PartnershipStatus.ACTIVE.value, PartnershipStatus.PAUSED.value)
_OPEN_REQUEST = (
    RequestStatus.MATCHING.value,
    RequestStatus.PENDING_MENTOR.value,
    RequestStatus.WAITLISTED.value,
)


@functools.cache
def _opening() -> Select[Any]:
    """``SqlRequestRepository.opening``'s statement: building a SELECT of four subqueries
    costs more than running it, and the modal waits for both."""
    team_id, user_id = bindparam("team_id", type_=String), bindparam("user_id", type_=String)
    request_id = (
        select(MentorRequestRow.id)
        .where(
            MentorRequestRow.team_id == team_id,
            MentorRequestRow.mentee_id == user_id,
            MentorRequestRow.status.in_(_OPEN_REQUEST),
        )
        .order_by(MentorRequestRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )

    def profile(column: Any) -> Any:
        return (
            select(column)
            .where(MentorProfileRow.team_id == team_id, MentorProfileRow.user_id == user_id)
            .limit(1)
            .scalar_subquery()
        )

    seen = (
        select(PersonZoneRow.tz)
        .where(PersonZoneRow.team_id == team_id, PersonZoneRow.user_id == user_id)
        .limit(1)
        .scalar_subquery()
    )
    mentor = (
        select(PartnershipRow.mentor_id)
        .where(
            PartnershipRow.mentee_team_id == team_id,  # the mentee's own, whichever program
            PartnershipRow.mentee_id == user_id,
            PartnershipRow.status.in_(_LIVE),
        )
        .order_by(PartnershipRow.id)
        .limit(1)
        .scalar_subquery()
    )
    anchor = select(literal(1).label("one")).subquery()
    return (
        select(
            MentorRequestRow,
            profile(MentorProfileRow.tz),
            profile(MentorProfileRow.tz_offset),
            seen,
            mentor,
        )
        .select_from(anchor)
        .outerjoin(MentorRequestRow, MentorRequestRow.id == request_id)
    )


class SqlRequestRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(
        self, team_id: str, request_id: int, *, for_update: bool = False
    ) -> MentorRequest | None:
        """``for_update`` locks the row until commit (PostgreSQL; SQLite's transactions are
        serial already), so two clicks at once act one after the other."""
        row = self._s.get(
            MentorRequestRow,
            request_id,
            with_for_update=True if for_update else None,
            populate_existing=for_update,
        )
        if row is None or team_id not in (row.team_id, row.host_team_id):
            return None  # the mentee's workspace, or the host of the program they ask in
        return _to_domain(MentorRequest, row, _REQUEST_ENUMS)

    def save(self, request: MentorRequest) -> MentorRequest:
        _save(self._s, MentorRequestRow, request)
        return request

    def open_for(self, team_id: str, mentee_id: str) -> MentorRequest | None:
        row = self._s.scalar(
            select(MentorRequestRow)
            .where(
                MentorRequestRow.team_id == team_id,
                MentorRequestRow.mentee_id == mentee_id,
                MentorRequestRow.status.in_(_OPEN_REQUEST),
            )
            .order_by(MentorRequestRow.id.desc())
            .limit(1)
        )
        return _to_domain(MentorRequest, row, _REQUEST_ENUMS) if row else None

    def opening(self, team_id: str, mentee_id: str) -> AskOpening:
        """One SELECT, built once (``_opening``): the open request joined onto a one-row
        anchor (so no request still answers), the zones and the live mentor as scalar
        subqueries. Alone in its unit of work it runs outside a transaction: one statement is
        consistent by itself, and BEGIN and ROLLBACK were two of its three round trips."""
        if not self._s.in_transaction():
            self._s.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        row, tz, tz_offset, seen_tz, mentor_id = self._s.execute(
            _opening(), {"team_id": team_id, "user_id": mentee_id}
        ).one()
        return AskOpening(
            request=_to_domain(MentorRequest, row, _REQUEST_ENUMS) if row is not None else None,
            profile_zone=(tz, tz_offset) if tz_offset is not None else None,
            seen_zone=seen_tz or None,
            current_mentor=mentor_id,
        )

    def waitlisted(self, team_id: str, *, shared: bool = False) -> list[MentorRequest]:
        return self.in_status(team_id, (RequestStatus.WAITLISTED,), shared=shared)

    def in_status(
        self, team_id: str, statuses: Collection[RequestStatus], *, shared: bool = False
    ) -> list[MentorRequest]:
        """``shared``: also member workspaces' requests in this workspace's programs (their
        memberships active).

        Read as plain columns, not ORM objects: a cohort reads thousands at once only to
        plan (each one it changes later is read again by ID), and building and tracking
        10,000 objects took a second."""
        rows = (
            self._s.connection()  # Core, not ORM (repositories flush as they save)
            .execute(
                select(*_request_columns())
                .where(*_requests_in(team_id, statuses, shared=shared))
                .order_by(MentorRequestRow.created_at, MentorRequestRow.id)
            )
            .all()
        )
        return _requests_of(rows)

    def count_in_status(
        self, team_id: str, statuses: Collection[RequestStatus], *, shared: bool = False
    ) -> int:
        return int(
            self._s.scalar(
                select(func.count())
                .select_from(MentorRequestRow)
                .where(*_requests_in(team_id, statuses, shared=shared))
            )
            or 0
        )


def _requests_in(
    team_id: str, statuses: Collection[RequestStatus], *, shared: bool
) -> tuple[ColumnElement[bool], ...]:
    """Which requests ``in_status`` reads (and ``count_in_status`` counts)."""
    request, member = MentorRequestRow, ProgramMembershipRow
    whose: ColumnElement[bool] = request.team_id == team_id
    if shared:
        whose = or_(
            whose,
            and_(
                request.host_team_id == team_id,
                select(member.id)
                .where(
                    member.team_id == request.team_id,
                    member.host_team_id == team_id,
                    member.program_id == request.program_id,
                    member.status == _ACTIVE_MEMBER,
                )
                .exists(),
            ),
        )
    return whose, request.status.in_([s.value for s in statuses])
