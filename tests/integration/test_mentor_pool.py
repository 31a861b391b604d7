"""The mentor pool in columns and its version: what lets each replica keep a copy of it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import sqlalchemy as sa

from bot.clock import FixedClock
from bot.matching.service import MenteeAsk, MentoringService, MentorOffer
from bot.model.mentor_pool import PoolVersion
from bot.model.partnership import (
    AskOpening,
    MatchProposal,
    MentorProfile,
    Partnership,
    PartnershipStatus,
)
from bot.model.rules import ProgramRules
from storage import Database, SqlUnitOfWork, connect
from storage.crypto import Cipher
from storage.models.base import CIPHER_ATTRIBUTE
from storage.zones import SqlPersonZones

T1, T2 = "T1", "T2"
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _profile(user: str, team: str = T1, **changes: object) -> MentorProfile:
    values: dict[str, object] = {
        "team_id": team,
        "user_id": user,
        "expertise": ["leadership", 'Führung, "quoted"'],
        "bio": "A long bio ranking never reads.",
        "organization": "Acme",
        "capacity": 2,
        "languages": ["en"],
        "tz": "Europe/Berlin",
        "tz_offset": 3600,
    }
    values.update(changes)
    return MentorProfile(**values)  # type: ignore[arg-type]


def test_the_pool_holds_what_ranking_reads_of_accepting_mentors(database: Database) -> None:
    with SqlUnitOfWork(database.sessions) as work:
        work.mentors.save(_profile("UB", program_id=7))
        work.mentors.save(_profile("UA", tz="", tz_offset=-18000, organization=""))
        work.mentors.save(_profile("UOFF", accepting=False))
        work.mentors.save(_profile("UOTHER", team=T2))
        work.commit()
    with SqlUnitOfWork(database.sessions) as work:
        pool = work.mentors.pool(T1)
        columns = [v for k, v in vars(pool).items() if k not in ("members", "names", "left")]
        rows = sorted(zip(*columns, strict=True))  # one per mentor; no shared program here
        assert (pool.members, pool.names) == ({}, {})
        bio = "A long bio ranking never reads."  # the goals' TF-IDF does, as plain text
        assert rows == [
            ("UA", ["leadership", 'Führung, "quoted"'], "", 2, "", -18000, None, ["en"], bio, T1),
            (
                "UB",
                ["leadership", 'Führung, "quoted"'],
                "Acme",
                2,
                "Europe/Berlin",
                3600,
                7,
                ["en"],
                bio,
                T1,
            ),
        ]
        assert [p.bio for p in work.mentors.profiles(T1, ["UB"])] == [bio]
        assert work.mentors.profiles(T1, []) == []


def test_every_committed_change_moves_its_workspace_version_on(database: Database) -> None:
    def version(team: str = T1) -> PoolVersion | None:
        with SqlUnitOfWork(database.sessions) as work:
            return work.mentors.pool_version(team)

    assert version() == PoolVersion()
    with SqlUnitOfWork(database.sessions) as work:
        work.mentors.save(_profile("UA"))
        assert work.mentors.pool_version(T1) is None  # its own change is not committed yet
        work.rollback()
    assert version() == PoolVersion()

    with SqlUnitOfWork(database.sessions) as work:
        work.mentors.save(_profile("UA"))
        work.commit()
    assert version() == PoolVersion(mentors=1, loads=0)
    assert version(T2) == PoolVersion()

    with SqlUnitOfWork(database.sessions) as work:
        work.proposals.save(
            MatchProposal(
                team_id=T1, request_id=1, mentee_id="UE", mentor_id="UA", score=1, reason=""
            )
        )
        work.commit()
    assert version() == PoolVersion(mentors=1, loads=1)

    with SqlUnitOfWork(database.sessions) as work:  # a read-only transaction moves nothing
        work.mentors.pool(T1)
        work.commit()
    assert version() == PoolVersion(mentors=1, loads=1)

    with SqlUnitOfWork(database.sessions) as work:  # an erasure deletes in bulk
        work.people.erase(T1, "UA", placeholder="someone")
        work.commit()
    moved = version()
    assert moved is not None and moved.mentors > 1 and moved.loads > 1


def test_each_profile_written_carries_its_workspaces_change_number(database: Database) -> None:
    """What an index reads past its copy's number is exactly the rows written since: edits,
    a mentor who stopped (``left``), none of another workspace's; a deletion leaves no row,
    so it moves the structure instead (the index reads the pool whole)."""

    def version() -> PoolVersion:
        with SqlUnitOfWork(database.sessions) as work:
            found = work.mentors.pool_version(T1)
        assert found is not None
        return found

    with SqlUnitOfWork(database.sessions) as work:
        for user in ("UA", "UB", "UC"):
            work.mentors.save(_profile(user))
        work.mentors.save(_profile("UA", team=T2))
        work.commit()
    first = version()
    with SqlUnitOfWork(database.sessions) as work:
        ua, ub = work.mentors.get(T1, "UA"), work.mentors.get(T1, "UB")
        assert ua is not None and ub is not None
        ua.bio, ua.capacity, ub.accepting = "Coaching new managers.", 3, False
        work.mentors.save(ua)
        work.mentors.save(ub)
        other = work.mentors.get(T2, "UA")
        assert other is not None
        other.capacity = 1
        work.mentors.save(other)
        work.commit()
    second = version()
    assert second.mentors == first.mentors + 1 and second.structure == first.structure
    with SqlUnitOfWork(database.sessions) as work:
        changes = work.mentors.pool_changes(T1, second.mentors_since(first, T1))
        assert work.mentors.pool_changes(T1, second.mentors_since(second, T1)).user_ids == []
        everything = work.mentors.pool_changes(T1, {T1: 0})
    assert (changes.user_ids, changes.capacities, changes.bios) == (
        ["UA"], [3], ["Coaching new managers."]
    )  # fmt: skip
    assert changes.left == [(T1, "UB")]
    assert sorted(everything.user_ids) == ["UA", "UC"]

    with SqlUnitOfWork(database.sessions) as work:  # an erasure deletes in bulk
        work.people.erase(T1, "UC", placeholder="someone")
        work.commit()
    assert version().structure > second.structure


def test_a_replica_sees_another_ones_new_mentor_on_its_next_ask(database: Database) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    other = connect(url)
    # another replica has the same key (an earlier test may have given the shared one a key)
    other.use_cipher(getattr(database.engine.dialect, CIPHER_ATTRIBUTE, Cipher(None)))
    try:

        def service(db: Database) -> MentoringService:
            return MentoringService(
                uow=lambda: SqlUnitOfWork(db.sessions), clock=FixedClock(NOW), rules=ProgramRules()
            )

        first, second = service(database), service(other)
        offer = MentorOffer(
            expertise=["leadership"], bio="Hi", organization="", capacity=2, languages=[]
        )
        first.offer(team_id=T1, user_id="UA", offer=offer, tz="UTC", tz_offset=0)
        ask = MenteeAsk(
            goals="Lead my first team",
            focus_areas=["leadership"],
            organization="",
            wants_other_org=False,
        )

        asked = second.ask(team_id=T1, mentee_id="UE1", ask=ask, tz="UTC", tz_offset=0)
        assert [c.mentor.user_id for c in asked.candidates] == ["UA"]
        first.offer(team_id=T1, user_id="UB", offer=offer, tz="UTC", tz_offset=0)
        asked = second.ask(team_id=T1, mentee_id="UE2", ask=ask, tz="UTC", tz_offset=0)
        assert [c.mentor.user_id for c in asked.candidates] == ["UA", "UB"]
        assert asked.candidates[0].mentor.bio == "Hi"
        first.offer(  # an edit: the other replica patches it in on its next ask
            team_id=T1,
            user_id="UA",
            offer=replace(offer, expertise=["communication"]),
            tz="UTC",
            tz_offset=0,
        )
        asked = second.ask(team_id=T1, mentee_id="UE4", ask=ask, tz="UTC", tz_offset=0)
        assert [c.mentor.user_id for c in asked.candidates] == ["UB"]
        first.offer(team_id=T1, user_id="UA", offer=offer, tz="UTC", tz_offset=0)
        asked = second.ask(team_id=T1, mentee_id="UE2", ask=ask, tz="UTC", tz_offset=0)
        assert [c.mentor.user_id for c in asked.candidates] == ["UA", "UB"]

        second.choose(team_id=T1, mentee_id="UE2", request_id=asked.request.id or 0, mentor_id="UA")
        second.choose(  # UA now has one mentee asked about: the load counts on the other side
            team_id=T1,
            mentee_id="UE1",
            request_id=second.open_request(T1, "UE1").id or 0,  # type: ignore[union-attr]
            mentor_id="UA",
        )
        asked = first.ask(team_id=T1, mentee_id="UE3", ask=ask, tz="UTC", tz_offset=0)
        assert [c.mentor.user_id for c in asked.candidates] == ["UB"]
    finally:
        other.dispose()


def _selects(database: Database) -> list[str]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", record)
    return seen


def test_the_ask_modal_reads_what_it_needs_in_one_select(database: Database) -> None:
    """The request, the profile's zone and the live mentor: one statement, each part right."""
    with SqlUnitOfWork(database.sessions) as work:
        work.mentors.save(_profile("UMENTEE", tz="Asia/Tokyo", tz_offset=32400))
        work.commit()
    mentoring = MentoringService(
        uow=lambda: SqlUnitOfWork(database.sessions), clock=FixedClock(NOW), rules=ProgramRules()
    )
    seen = _selects(database)
    nothing = mentoring.ask_opening(T1, "UNOBODY")
    assert nothing == AskOpening() and len(seen) == 1
    profile_only = mentoring.ask_opening(T1, "UMENTEE")
    assert profile_only == AskOpening(profile_zone=("Asia/Tokyo", 32400))
    assert profile_only.zone(NOW) == ("Asia/Tokyo", 32400)
    # what users.info told us, kept
    SqlPersonZones(database.sessions).put(
        team_id=T1, user_id="USEEN", tz="America/New_York", at=NOW
    )
    seen_only = mentoring.ask_opening(T1, "USEEN")
    assert seen_only == AskOpening(seen_zone="America/New_York")
    assert seen_only.zone(NOW) == ("America/New_York", -5 * 3600)  # March 2: standard time
    mentoring.ask(
        team_id=T1,
        mentee_id="UMENTEE",
        ask=MenteeAsk(
            goals="Lead a team",
            focus_areas=["leadership"],
            organization="Acme",
            wants_other_org=False,
        ),
        tz="Europe/Lisbon",
        tz_offset=0,
    )
    with SqlUnitOfWork(database.sessions) as work:
        work.partnerships.save(
            Partnership(
                team_id=T1,
                mentor_id="UOLD",
                mentee_id="UMENTEE",
                request_id=None,
                started_at=NOW,
                ends_at=NOW,
                status=PartnershipStatus.PAUSED,
            )
        )
        work.partnerships.save(
            Partnership(
                team_id=T1,
                mentor_id="UENDED",
                mentee_id="UMENTEE",
                request_id=None,
                started_at=NOW,
                ends_at=NOW,
                status=PartnershipStatus.ENDED,
            )
        )
        open_request = work.requests.open_for(T1, "UMENTEE")
        work.commit()
    seen.clear()
    found = mentoring.ask_opening(T1, "UMENTEE")
    assert len(seen) == 1
    assert found.request == open_request and found.request is not None
    assert found.zone(NOW) == ("Europe/Lisbon", 0) and found.current_mentor == "UOLD"
