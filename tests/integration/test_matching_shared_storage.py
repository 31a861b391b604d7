"""Matching's storage for a program shared across workspaces, on SQLite and PostgreSQL: the
owner's pool (its own mentors and its active members' in its programs), its version across
the workspaces involved, a member's requests, and a person's rows by their own workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.model.mentor_pool import PoolVersion
from bot.model.partnership import (
    MatchProposal,
    MentorProfile,
    MentorRequest,
    Partnership,
    RequestStatus,
)
from bot.model.programs import Program
from bot.model.sharing import MembershipStatus, ProgramMembership
from storage import Database, SqlUnitOfWork

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def profile(team: str, user: str, program_id: int | None, **more: Any) -> MentorProfile:
    return MentorProfile(
        team_id=team,
        user_id=user,
        expertise=["leadership"],
        bio="",
        organization="",
        capacity=2,
        languages=[],
        tz="UTC",
        program_id=program_id,
        created_at=NOW,
        **more,
    )


def setup(database: Database) -> int:
    """Acme (T1) shares a program with Globex (T2, active) and Initech (T3, removed)."""
    with SqlUnitOfWork(database.sessions) as uow:
        program = uow.programs.save(
            Program(team_id="T1", name="Alliance", created_at=NOW, updated_at=NOW)
        )
        assert program.id is not None
        for team, status in (("T2", MembershipStatus.ACTIVE), ("T3", MembershipStatus.REMOVED)):
            uow.sharing.save_membership(
                ProgramMembership(
                    team_id=team,
                    host_team_id="T1",
                    program_id=program.id,
                    accepted_by="UC",
                    accepted_at=NOW,
                    status=status,
                )
            )
        for saved in (
            profile("T1", "UA", program.id),
            profile("T1", "UZ", program.id, accepting=False),
            profile("T2", "UB", program.id, host_team_id="T1"),
            profile("T3", "UC", program.id, host_team_id="T1"),
            profile("T2", "UD", None),  # Globex's own default program
        ):
            uow.mentors.save(saved)
        uow.commit()
        return program.id


def people(database: Database, team: str) -> set[tuple[str, str]]:
    with SqlUnitOfWork(database.sessions) as uow:
        pool = uow.mentors.pool(team)
    return set(zip(pool.team_ids, pool.user_ids, strict=True))


def version(database: Database, team: str) -> PoolVersion:
    with SqlUnitOfWork(database.sessions) as uow:
        found = uow.mentors.pool_version(team)
    assert found is not None
    return found


def remove_globex(database: Database, program_id: int) -> None:
    with SqlUnitOfWork(database.sessions) as uow:
        membership = uow.sharing.membership("T2", host_team_id="T1", program_id=program_id)
        assert membership is not None
        membership.status = MembershipStatus.REMOVED
        uow.sharing.save_membership(membership)
        uow.commit()


def test_the_pool_is_the_owners_and_its_active_members_mentors(database: Database) -> None:
    program_id = setup(database)
    assert people(database, "T1") == {("T1", "UA"), ("T2", "UB")}
    assert people(database, "T2") == {("T2", "UD")}  # its own program's only
    with SqlUnitOfWork(database.sessions) as uow:
        pool = uow.mentors.pool("T1")
        assert pool.members == {program_id: frozenset({"T2"})}
        assert uow.mentors.shared("T1").members == pool.members
        assert [p.id for p in uow.programs.joined("T2")] == [program_id]
        assert uow.programs.joined("T3") == []
    remove_globex(database, program_id)
    assert people(database, "T1") == {("T1", "UA")}
    with SqlUnitOfWork(database.sessions) as uow:
        assert uow.programs.joined("T2") == []


def test_the_owners_version_moves_with_every_workspace_involved(database: Database) -> None:
    program_id = setup(database)
    before = version(database, "T1")
    assert [team for team, _, _ in before.shared] == ["T2"]  # not the removed Initech

    with SqlUnitOfWork(database.sessions) as uow:  # Globex's mentor edits their profile
        found = uow.mentors.get("T2", "UB")
        assert found is not None
        found.capacity = 3
        uow.mentors.save(found)
        uow.commit()
    edited = version(database, "T1")
    assert edited.mentors_key != before.mentors_key

    with SqlUnitOfWork(database.sessions) as uow:  # an Acme pair with Globex's mentor
        uow.partnerships.save(
            Partnership(
                team_id="T1",
                mentor_id="UB",
                mentee_id="UA",
                request_id=None,
                started_at=NOW,
                ends_at=NOW + timedelta(days=90),
                program_id=program_id,
                mentee_team_id="T1",
                mentor_team_id="T2",
            )
        )
        uow.commit()
    loaded = version(database, "T1")
    assert loaded.mentors_key == edited.mentors_key and loaded != edited
    with SqlUnitOfWork(database.sessions) as uow:
        assert uow.partnerships.active_by_mentor("T2") == {"UB": 1}  # their own workspace's
        assert uow.partnerships.active_by_mentor("T1") == {}

    remove_globex(database, program_id)
    removed = version(database, "T1")
    assert removed.shared == () and removed.mentors > loaded.mentors


def test_a_members_requests_and_proposals_are_found_by_each_workspace(
    database: Database,
) -> None:
    program_id = setup(database)
    with SqlUnitOfWork(database.sessions) as uow:
        request = uow.requests.save(
            MentorRequest(
                team_id="T2",
                mentee_id="UE",
                goals="Lead",
                focus_areas=["leadership"],
                organization="",
                wants_other_org=False,
                tz="UTC",
                status=RequestStatus.WAITLISTED,
                created_at=NOW,
                program_id=program_id,
                host_team_id="T1",
            )
        )
        assert request.id is not None
        uow.proposals.save(
            MatchProposal(
                team_id="T1",
                request_id=request.id,
                mentee_id="UE",
                mentor_id="UA",
                score=80,
                reason="",
                created_at=NOW,
                mentee_team_id="T2",
                mentor_team_id="T1",
            )
        )
        uow.commit()
    with SqlUnitOfWork(database.sessions) as uow:
        assert uow.requests.get("T1", request.id) is not None  # the program's host
        assert uow.requests.get("T2", request.id) is not None  # the mentee's workspace
        assert uow.requests.get("T3", request.id) is None
        waiting = [RequestStatus.WAITLISTED]
        assert [r.id for r in uow.requests.in_status("T1", waiting, shared=True)] == [request.id]
        assert uow.requests.in_status("T1", waiting) == []
        assert [r.mentee_id for r in uow.requests.waitlisted("T2")] == ["UE"]
        assert [p.mentee_id for p in uow.proposals.for_mentee("T2", "UE")] == ["UE"]
        assert uow.proposals.for_mentee("T1", "UE") == []
        assert uow.proposals.pending_by_mentor("T1") == {"UA": 1}
        assert uow.proposals.pending_by_mentor("T2") == {}
    remove_globex(database, program_id)
    with SqlUnitOfWork(database.sessions) as uow:
        assert uow.requests.in_status("T1", [RequestStatus.WAITLISTED], shared=True) == []
