"""Shared programs on SQLite and PostgreSQL: a join code is stored as a hash and spent once,
memberships belong to the member workspace, and purging either workspace leaves nothing of it
behind (the host's program takes its memberships with it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.clock import FixedClock
from bot.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.model.programs import Program
from bot.model.rules import ProgramRules
from bot.model.sharing import MembershipStatus
from bot.programs.leaving import Departures
from bot.programs.service import ProgramService
from bot.programs.sharing import CODE_DAYS, SharingService, code_hash, normalize_code
from bot.roster import Roster
from storage import Database, SqlUnitOfWork

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
HOST, MEMBER, THIRD = "T1", "T2", "T3"
COORDINATORS = {(HOST, "UC1"), (MEMBER, "UC2"), (THIRD, "UC3")}


class Codes:
    """Codes in the order they are made, so a test can name the one it wants."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"ABCDEFGHJKMN{self.n:04d}"


def services(database: Database, clock: FixedClock) -> tuple[ProgramService, SharingService]:
    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(database.sessions)

    programs = ProgramService(
        uow=uow,
        clock=clock,
        rules=ProgramRules(),
        is_coordinator=lambda user, team: (team, user) in COORDINATORS,
    )
    return programs, SharingService(uow=uow, clock=clock, programs=programs, make_code=Codes())


def cross_company(programs: ProgramService) -> Program:
    return programs.save(
        coordinator_id="UC1",
        program=Program(team_id=HOST, name="Cross-company", focus_areas=["leadership"]),
    )


def all_text(database: Database) -> str:
    with database.engine.connect() as connection:
        return " ".join(
            str(tuple(row))
            for table in ("program_join_codes", "program_memberships", "audit_events")
            for row in connection.execute(sa.text(f"SELECT * FROM {table}"))
        )


def test_a_code_is_kept_as_its_hash_and_lets_one_workspace_join(database: Database) -> None:
    clock = FixedClock(NOW)
    programs, sharing = services(database, clock)
    program = cross_company(programs)

    shared = sharing.share(team_id=HOST, coordinator_id="UC1", name="cross-company")
    assert shared.code == "ABCD-EFGH-JKMN-0001"
    joined = sharing.accept(team_id=MEMBER, user_id="UC2", code="abcd efgh jkmn 0001")

    membership = joined.membership
    assert (membership.team_id, membership.host_team_id) == (MEMBER, HOST)
    assert membership.program_id == program.id and membership.accepted_by == "UC2"
    assert membership.accepted_at == NOW and membership.status is MembershipStatus.ACTIVE
    with SqlUnitOfWork(database.sessions) as uow:
        code = uow.sharing.code(HOST, shared.join_code.id or 0)
        assert code is not None and code.code_hash == code_hash("ABCDEFGHJKMN0001")
        assert (code.used_by_team_id, code.used_by, code.used_at) == (MEMBER, "UC2", NOW)
        assert code.expires_at == NOW + timedelta(days=CODE_DAYS)
        assert uow.sharing.code(MEMBER, shared.join_code.id or 0) is None  # the host's only
        assert [m.team_id for m in uow.sharing.members(HOST, program.id or 0)] == [MEMBER]
        assert uow.sharing.joined(MEMBER) == [membership]
        assert uow.sharing.joined(HOST) == []
    stored = all_text(database)
    assert "ABCDEFGHJKMN0001" not in stored and "ABCD-EFGH" not in stored
    # each workspace's own audit log tells its side
    with database.engine.connect() as connection:
        audit = connection.execute(
            sa.text("SELECT team_id, action FROM audit_events ORDER BY id")
        ).all()
    assert [tuple(a) for a in audit][-3:] == [
        (HOST, "program.share"),
        (MEMBER, "program.join"),
        (HOST, "program.member_join"),
    ]

    with pytest.raises(Conflict, match="already used"):
        sharing.accept(team_id=THIRD, user_id="UC3", code=shared.code)
    with pytest.raises(Conflict, match="already used that code"):
        sharing.offer(team_id=MEMBER, user_id="UC2", code=shared.code)
    with pytest.raises(Conflict, match="remove the workspace instead"):
        sharing.revoke(team_id=HOST, coordinator_id="UC1", code=shared.code)


@pytest.mark.parametrize(
    ("team", "user", "code", "error", "says"),
    [
        (MEMBER, "UC2", "ABCD-EFGH-JKMN-9999", NotFound, "not a join code"),
        (MEMBER, "UC2", "not a code at all", NotFound, "not a join code"),
        (MEMBER, "UC2", "", NotFound, "not a join code"),
        (MEMBER, "U2PLAIN", "ABCD-EFGH-JKMN-0001", NotAllowed, "coordinators"),
        (HOST, "UC1", "ABCD-EFGH-JKMN-0001", DomainError, "other"),
    ],
)
def test_what_cannot_join_is_refused_and_the_code_stays_usable(
    database: Database, team: str, user: str, code: str, error: type[Exception], says: str
) -> None:
    programs, sharing = services(database, FixedClock(NOW))
    cross_company(programs)
    shared = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")

    with pytest.raises(error, match=says):
        sharing.accept(team_id=team, user_id=user, code=code)

    assert sharing.accept(team_id=THIRD, user_id="UC3", code=shared.code).membership.id


def test_expired_and_revoked_codes_are_refused(database: Database) -> None:
    clock = FixedClock(NOW)
    programs, sharing = services(database, clock)
    cross_company(programs)
    expiring = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")
    revoked = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")
    button = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")

    sharing.revoke(team_id=HOST, coordinator_id="UC1", code=revoked.code)
    sharing.revoke(team_id=HOST, coordinator_id="UC1", code_id=button.join_code.id)
    with pytest.raises(NotFound):  # another workspace's code is nobody's to revoke
        sharing.revoke(team_id=MEMBER, coordinator_id="UC2", code=expiring.code)
    with pytest.raises(Conflict, match="revoked"):
        sharing.accept(team_id=MEMBER, user_id="UC2", code=revoked.code)
    with pytest.raises(Conflict, match="revoked"):
        sharing.accept(team_id=MEMBER, user_id="UC2", code=button.code)
    clock.advance(timedelta(days=CODE_DAYS))
    with pytest.raises(Conflict, match="expired"):
        sharing.accept(team_id=MEMBER, user_id="UC2", code=expiring.code)
    with SqlUnitOfWork(database.sessions) as uow:
        assert uow.sharing.joined(MEMBER) == []
        assert uow.sharing.open_codes(HOST, 1, now=clock.now()) == []


def test_a_code_spent_by_a_racing_accept_is_not_spent_twice(database: Database) -> None:
    programs, sharing = services(database, FixedClock(NOW))
    cross_company(programs)
    shared = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")
    code_id = shared.join_code.id or 0

    with SqlUnitOfWork(database.sessions) as uow:
        assert uow.sharing.use_code(code_id, team_id=MEMBER, user_id="UC2", at=NOW)
        uow.commit()
    with SqlUnitOfWork(database.sessions) as uow:
        assert not uow.sharing.use_code(code_id, team_id=THIRD, user_id="UC3", at=NOW)
        assert not uow.sharing.revoke_code(HOST, code_id, by="UC1", at=NOW)


def test_a_removed_workspace_can_join_again_only_with_a_new_code(database: Database) -> None:
    clock = FixedClock(NOW)
    programs, sharing = services(database, clock)
    program = cross_company(programs)
    first = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")
    membership = sharing.accept(team_id=MEMBER, user_id="UC2", code=first.code).membership
    clock.advance(timedelta(days=1))

    with pytest.raises(NotFound):  # a member cannot remove itself through the host's button
        sharing.remove(team_id=MEMBER, coordinator_id="UC2", membership_id=membership.id or 0)
    view = sharing.remove(team_id=HOST, coordinator_id="UC1", membership_id=membership.id or 0)

    (removed,) = view.members
    assert removed.membership.status is MembershipStatus.REMOVED
    assert removed.membership.removed_by == "UC1" and removed.membership.removed_at == clock.now()
    assert sharing.hosted(HOST) == {} and sharing.joined(MEMBER) == []
    second = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")
    again = sharing.accept(team_id=MEMBER, user_id="UC2", code=second.code).membership
    assert again.id == membership.id and again.active and again.removed_at is None
    assert sharing.hosted(HOST) == {program.id: ["workspace T2"]}


def test_the_programs_a_workspace_joined_are_read_once_and_a_change_here_is_seen_at_once(
    database: Database,
) -> None:
    """Every ask and offer modal offers them before ``views.open``: from memory for a few
    seconds, as the program list is; joining, being removed and leaving through this process
    forget them at once."""
    clock = FixedClock(NOW)
    programs, sharing = services(database, clock)
    cross_company(programs)
    assert sharing.joined(MEMBER) == []  # read (and kept) before the join
    first = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")
    membership = sharing.accept(team_id=MEMBER, user_id="UC2", code=first.code).membership
    assert [j.program_name for j in sharing.joined(MEMBER)] == ["Cross-company"]

    statements: list[str] = []
    sa.event.listen(
        database.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    again = sharing.joined(MEMBER)
    assert statements == []  # from memory: no query on a modal's way to opening
    assert again[0].host_name == "workspace T1" and again[0].program is not None
    again[0].program.focus_areas.append("changed by a caller")  # a copy: the cache keeps its own
    assert sharing.joined(MEMBER)[0].program.focus_areas == ["leadership"]  # type: ignore[union-attr]

    sharing.remove(team_id=HOST, coordinator_id="UC1", membership_id=membership.id or 0)
    assert sharing.joined(MEMBER) == []
    second = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")
    sharing.accept(team_id=MEMBER, user_id="UC2", code=second.code)
    assert len(sharing.joined(MEMBER)) == 1
    departures = Departures(
        uow=lambda: SqlUnitOfWork(database.sessions),
        clock=clock,
        roster=Roster(
            uow=lambda: SqlUnitOfWork(database.sessions),
            rules=ProgramRules(coordinators=(f"{MEMBER}:UC2",)),
        ),
        retention=timedelta(days=30),
        forget=programs.forget,
    )
    assert departures.leave(team_id=MEMBER, coordinator_id="UC2", membership_id=membership.id or 0)
    assert sharing.joined(MEMBER) == []


def test_purging_a_workspace_removes_what_it_owns_of_a_shared_program(database: Database) -> None:
    programs, sharing = services(database, FixedClock(NOW))
    cross_company(programs)
    for team, user in ((MEMBER, "UC2"), (THIRD, "UC3")):
        shared = sharing.share(team_id=HOST, coordinator_id="UC1", name="Cross-company")
        sharing.accept(team_id=team, user_id=user, code=shared.code)

    with SqlUnitOfWork(database.sessions) as uow:
        deleted = uow.workspaces.purge(THIRD)
        uow.commit()
    assert deleted["program_memberships"] == 1
    assert rows(database, "program_memberships") == [("T2", "T1")]

    with SqlUnitOfWork(database.sessions) as uow:
        uow.workspaces.purge(HOST)
        uow.commit()
    assert rows(database, "program_memberships") == []  # gone with the host's program
    assert rows(database, "program_join_codes") == []


def rows(database: Database, table: str) -> list[tuple[Any, ...]]:
    column = "host_team_id" if table == "program_memberships" else "program_id"
    with database.engine.connect() as connection:
        found = connection.execute(sa.text(f"SELECT team_id, {column} FROM {table} ORDER BY id"))
        return [tuple(r) for r in found]


def test_codes_are_read_as_people_paste_them() -> None:
    assert normalize_code(" abcd-efgh-jkmn-pqrs ") == "ABCDEFGHJKMNPQRS"
    assert normalize_code("ABCD EFGH JKMN PQRO") == "ABCDEFGHJKMNPQR0"  # O read as zero
    assert normalize_code("ABCD-EFGH-JKMN") is None
    assert normalize_code("ABCD-EFGH-JKMN-PQRU") is None  # no U in the alphabet
