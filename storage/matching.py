"""Repositories of the matching pool: mentor profiles and the counters that tell each
process's mentor index it is current. Requests are in ``storage.requests``; proposals,
partnerships and cohort plans in ``storage.pairs``."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    Text,
    and_,
    cast,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from bot.model.mentor_pool import MentorColumns, PoolVersion
from bot.model.partnership import (
    MentorProfile,
)
from bot.model.sharing import MembershipStatus
from storage.models.matching import (
    MatchingVersionRow,
    MentorProfileRow,
)
from storage.models.programs import ProgramMembershipRow
from storage.models.workspaces import SLACK_BOTS
from storage.rows import _save, _to_domain, json_loads

_CHANGED = "matching_versions.changed"  # session.info: {team_id or "*": {"mentors", ...}}
_STAMPED = "matching_versions.stamped"  # session.info: profile rows written, to stamp
_COUNTER = {
    "mentor_profiles": "mentors",
    "match_proposals": "loads",
    "partnerships": "loads",
    "program_memberships": "mentors",  # who is in a shared program's pool
}
_STRUCTURAL = {"mentor_profiles", "program_memberships"}
"""Tables whose changes can leave no change number on a profile row (a delete, a bulk
statement, a member joining or leaving): an index then reads its whole pool again."""
_TEAMS = ("team_id", "host_team_id", "mentee_team_id", "mentor_team_id")
"""Every workspace a row involves: a shared program's host, and each person's own."""


def track_pool_changes(sessions: sessionmaker[Session]) -> None:
    """Move a workspace's ``matching_versions`` on in every commit that changed its mentors,
    proposals or partnerships, so every process's ``MentorIndex`` sees the change next time,
    and stamp each profile row written with its workspace's new ``mentors`` number (the
    index then reads only the rows past the number its copy was read at).

    Changes are noted as they are flushed (and for bulk UPDATE or DELETE statements, such as
    an erasure's, for every workspace); the counters move just before COMMIT. Taking the
    counter row's lock last, and only for that instant, means two transactions never wait
    on each other through it while holding other locks; and as the lock is held to COMMIT,
    a workspace's change numbers are handed out in the order their commits become visible
    (a reader past number n never misses a row stamped n or less).
    """
    event.listen(sessions, "before_flush", _note_flush)
    event.listen(sessions, "do_orm_execute", _note_bulk)
    event.listen(sessions, "before_commit", _bump)
    event.listen(sessions, "after_rollback", _forget)


def _note(session: Session, team_id: str, counter: str) -> None:
    session.info.setdefault(_CHANGED, {}).setdefault(team_id, set()).add(counter)


def _note_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    deleted = set(session.deleted)
    for row in (*session.new, *session.dirty, *deleted):
        table = getattr(row, "__tablename__", None)
        counter = _COUNTER.get(table or "")
        if counter is None:
            continue
        structural = table == "program_memberships" or row in deleted
        for column in _TEAMS:
            if team_id := getattr(row, column, None):
                _note(session, team_id, counter)
                if structural:
                    _note(session, team_id, "structure")
        if table == "mentor_profiles" and row not in deleted:
            session.info.setdefault(_STAMPED, []).append(row)


def _note_bulk(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if isinstance(table, Table) and (counter := _COUNTER.get(table.name)):
            _note(state.session, "*", counter)
            if table.name in _STRUCTURAL:
                _note(state.session, "*", "structure")


def _forget(session: Session) -> None:
    session.info.pop(_STAMPED, None)


def _bump(session: Session) -> None:
    session.flush()  # what the commit would flush still counts
    changed: dict[str, set[str]] = session.info.pop(_CHANGED, {})
    stamped: list[MentorProfileRow] = session.info.pop(_STAMPED, [])
    everywhere = changed.pop("*", set())
    if everywhere:
        session.execute(
            update(MatchingVersionRow).values(
                {c: getattr(MatchingVersionRow, c) + 1 for c in sorted(everywhere)}
            )
        )
    rows_of: dict[str, set[int]] = {}
    for row in stamped:
        if row.id is not None and row.team_id:
            rows_of.setdefault(row.team_id, set()).add(row.id)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    numbers: dict[str, int] = {}
    for team_id in sorted(changed):  # one order everywhere: no two commits lock crosswise
        counters = changed[team_id] | everywhere
        statement = insert(MatchingVersionRow).values(
            team_id=team_id, **{c: int(c in counters) for c in _COUNTERS}
        )
        numbers[team_id] = session.execute(
            statement.on_conflict_do_update(
                index_elements=[MatchingVersionRow.team_id],
                set_={c: getattr(MatchingVersionRow, c) + 1 for c in sorted(counters)},
            ).returning(MatchingVersionRow.mentors)
        ).scalar_one()
    profiles = MentorProfileRow.__table__
    assert isinstance(profiles, Table)
    connection = session.connection()  # Core: not a bulk change of its own to note
    for team_id, ids in sorted(rows_of.items()):
        if team_id in numbers:
            connection.execute(
                update(profiles)
                .where(profiles.c.id.in_(sorted(ids)))
                .values(changed=numbers[team_id])
            )
    session.info.pop(_CHANGED, None)  # the statements above are not changes of their own


_COUNTERS = ("mentors", "loads", "structure")


_ACTIVE_MEMBER = MembershipStatus.ACTIVE.value


class SqlMentorRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, user_id: str) -> MentorProfile | None:
        row = self._s.scalar(
            select(MentorProfileRow).where(
                MentorProfileRow.team_id == team_id, MentorProfileRow.user_id == user_id
            )
        )
        return _to_domain(MentorProfile, row, {}) if row else None

    def save(self, profile: MentorProfile) -> MentorProfile:
        _save(self._s, MentorProfileRow, profile)
        return profile

    def accepting(self, team_id: str) -> list[MentorProfile]:
        """Every accepting mentor, for ranking: read as plain text, parsed in one go.

        Every `/mentor ask` reads all of them. For thousands, decoding two JSON lists and two
        timestamps per row through SQLAlchemy's type processors cost most of the call, so the
        lists come back as text (CAST works alike on SQLite and PostgreSQL) and are parsed
        with one ``json_loads`` over all rows; the timestamps ranking never reads stay out.
        """
        row = MentorProfileRow
        rows = (
            self._s.connection()
            .execute(  # Core, not ORM: no per-row entity bookkeeping
                select(
                    row.id,
                    row.user_id,
                    cast(row.expertise, Text),
                    row.bio,
                    row.organization,
                    row.capacity,
                    cast(row.languages, Text),
                    row.tz,
                    row.tz_offset,
                    row.program_id,
                    row.host_team_id,
                )
                .where(row.team_id == team_id, row.accepting.is_(True))
                .order_by(row.user_id)
            )
            .all()
        )
        if not rows:
            return []
        lists = json_loads("[" + ",".join(f"{r[2]},{r[6]}" for r in rows) + "]")
        return [
            MentorProfile(
                team_id=team_id,
                user_id=user_id,
                expertise=lists[2 * n],
                bio=bio,
                organization=organization,
                capacity=capacity,
                languages=lists[2 * n + 1],
                tz=tz,
                tz_offset=tz_offset,
                accepting=True,
                program_id=program_id,
                host_team_id=host_team_id,
                id=profile_id,
            )
            for n, (
                profile_id,
                user_id,
                _,
                bio,
                organization,
                capacity,
                _,
                tz,
                tz_offset,
                program_id,
                host_team_id,
            ) in enumerate(rows)
        ]

    def pool(self, team_id: str) -> MentorColumns:
        """The owner's mentors in its own programs and its active member workspaces' mentors
        in its shared programs, with who is a member of what and the workspaces' names."""
        rows = self._s.connection().execute(select(*_pool_columns()).where(*_in_pool(team_id)))
        return _mentor_columns(rows.all(), self.shared(team_id))

    def count_pool(self, team_id: str) -> int:
        return int(
            self._s.scalar(
                select(func.count()).select_from(MentorProfileRow).where(*_in_pool(team_id))
            )
            or 0
        )

    def pool_teams(self) -> list[str]:
        """The program owners with accepting mentors: a mentor in a shared program is in its
        host's pool."""
        owner = func.coalesce(MentorProfileRow.host_team_id, MentorProfileRow.team_id)
        return list(
            self._s.scalars(
                select(owner).where(MentorProfileRow.accepting.is_(True)).distinct().order_by(owner)
            )
        )

    def shared(self, team_id: str) -> MentorColumns:
        """No mentors: only the workspace's shared programs' active members and the names of
        the workspaces involved (``pool`` without reading a profile)."""
        member = ProgramMembershipRow
        members: dict[int, set[str]] = {}
        for program_id, member_team in self._s.execute(
            select(member.program_id, member.team_id).where(
                member.host_team_id == team_id, member.status == _ACTIVE_MEMBER
            )
        ):
            members.setdefault(program_id, set()).add(member_team)
        teams = {team_id, *(t for found in members.values() for t in found)}
        return MentorColumns(
            members={p: frozenset(found) for p, found in members.items()},
            names=self._names(teams) if members else {},
        )

    def _names(self, team_ids: Collection[str]) -> dict[str, str]:
        """The name each workspace was last installed under (Slack's, never typed)."""
        rows = self._s.execute(
            select(SLACK_BOTS.c.team_id, SLACK_BOTS.c.team_name)
            .where(SLACK_BOTS.c.team_id.in_(list(team_ids)), SLACK_BOTS.c.team_name.is_not(None))
            .order_by(SLACK_BOTS.c.installed_at)
        )
        return {team: str(name) for team, name in rows if name}

    def pool_version(self, team_id: str) -> PoolVersion | None:
        member = ProgramMembershipRow
        members = select(member.team_id).where(
            member.host_team_id == team_id, member.status == _ACTIVE_MEMBER
        )
        version = MatchingVersionRow
        found = self._s.execute(  # ORM execute: autoflush first, so this transaction's own
            select(  # changes count
                version.team_id, version.mentors, version.loads, version.structure
            ).where(or_(version.team_id == team_id, version.team_id.in_(members)))
        ).all()
        if self._s.info.get(_CHANGED):
            return None
        own = next(((m, loads, s) for t, m, loads, s in found if t == team_id), (0, 0, 0))
        others = sorted((t, m, loads, s) for t, m, loads, s in found if t != team_id)
        return PoolVersion(
            own[0],
            own[1],
            shared=tuple((t, m, loads) for t, m, loads, _ in others),
            structure=own[2],
            shared_structure=tuple((t, s) for t, _, _, s in others),
        )

    def pool_changes(self, team_id: str, since: dict[str, int]) -> MentorColumns:
        """The profiles of the owner's pool written after ``since`` (workspace -> the change
        number an index's copy was read at): those in the pool as ``pool`` reads them, and
        the people whose rows changed and are not in it (``left``)."""
        row = MentorProfileRow
        rows = (
            self._s.connection()
            .execute(
                select(*_pool_columns(), row.accepting, row.host_team_id).where(
                    or_(
                        *(and_(row.team_id == t, row.changed > n) for t, n in sorted(since.items()))
                    )
                )
            )
            .all()
            if since
            else []
        )
        shared = self.shared(team_id)

        def in_pool(r: Any) -> bool:
            if not r[10]:
                return False
            if r[11] is None:
                return bool(r[9] == team_id)
            return bool(r[11] == team_id and r[9] in shared.members.get(r[6], ()))

        return dataclasses.replace(
            _mentor_columns([r for r in rows if in_pool(r)], shared),
            left=[(r[9], r[0]) for r in rows if not in_pool(r)],
        )

    def profiles(self, team_id: str, user_ids: Collection[str]) -> list[MentorProfile]:
        if not user_ids:
            return []
        rows = self._s.scalars(
            select(MentorProfileRow).where(
                MentorProfileRow.team_id == team_id, MentorProfileRow.user_id.in_(list(user_ids))
            )
        )
        return [_to_domain(MentorProfile, row, {}) for row in rows]


def _in_pool(team_id: str) -> tuple[ColumnElement[bool], ...]:
    """Which mentors ``pool`` reads (and ``count_pool`` counts): accepting, the owner's own
    in its own programs and its active member workspaces' in its shared programs."""
    row, member = MentorProfileRow, ProgramMembershipRow
    active_member = (
        select(member.id)
        .where(
            member.team_id == row.team_id,
            member.host_team_id == team_id,
            member.program_id == row.program_id,
            member.status == _ACTIVE_MEMBER,
        )
        .exists()
    )
    return (
        row.accepting.is_(True),
        or_(
            and_(row.team_id == team_id, row.host_team_id.is_(None)),
            and_(row.host_team_id == team_id, active_member),
        ),
    )


def _pool_columns() -> tuple[Any, ...]:
    """What the mentor index keeps of a profile, in the order ``_mentor_columns`` reads it
    (JSON lists as text: one ``json_loads`` for all the rows is several times faster than a
    decode per cell)."""
    row = MentorProfileRow
    return (
        row.user_id,
        cast(row.expertise, Text),
        row.organization,
        row.capacity,
        row.tz,
        row.tz_offset,
        row.program_id,
        cast(row.languages, Text),
        row.bio,
        row.team_id,
    )


def _mentor_columns(rows: Sequence[Any], shared: MentorColumns) -> MentorColumns:
    lists = json_loads("[" + ",".join(f"{r[1]},{r[7]}" for r in rows) + "]") if rows else []
    return MentorColumns(
        user_ids=[r[0] for r in rows],
        expertise=lists[0::2],
        organizations=[r[2] for r in rows],
        capacities=[r[3] for r in rows],
        tzs=[r[4] for r in rows],
        tz_offsets=[r[5] for r in rows],
        program_ids=[r[6] for r in rows],
        languages=lists[1::2],
        bios=[r[8] or "" for r in rows],
        team_ids=[r[9] for r in rows],
        members=shared.members,
        names=shared.names,
    )
