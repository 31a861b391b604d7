"""Programs on SQLite and PostgreSQL: stored, read back per workspace, merged with the
workspace's rules, cached briefly, and honoured by quiet hours and cohort matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.clock import FixedClock
from bot.matching.cohorts import CohortService
from bot.model.messages.rhythm import Pulse
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import MentorProfile, MentorRequest, RequestStatus
from bot.model.programs import Program
from bot.model.rules import ProgramRules
from bot.programs.service import ProgramService, check_program
from bot.rhythm.service import PROMPT_KINDS
from bot.roster import Roster
from storage import Database, SqlUnitOfWork

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday, 15:00 UTC
TEAM = "T0001"
RULES = ProgramRules(coordinators=("UCOORD1",), channel="C0MAIN")


def internal(**changes: object) -> Program:
    values: dict[str, object] = {
        "team_id": TEAM,
        "name": "Internal",
        "term_days": 90,
        "session_minutes": 30,
        "pulse_every_days": 7,
        "focus_areas": ["technical skills", "onboarding"],
        "workday_start_hour": 7,
        "workday_end_hour": 13,
        "competitors": [],
    }
    values.update(changes)
    return Program(**values)  # type: ignore[arg-type]


def service(database: Database, **kwargs: object) -> ProgramService:
    return ProgramService(
        uow=lambda: SqlUnitOfWork(database.sessions),
        clock=FixedClock(NOW),
        rules=RULES,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_program_round_trips_and_belongs_to_its_workspace(database: Database) -> None:
    programs = service(database)
    saved = programs.save(coordinator_id="UCOORD1", program=internal(competitors=["Acme|Globex"]))
    assert saved.id is not None and saved.created_by == "UCOORD1"
    with SqlUnitOfWork(database.sessions) as uow:
        assert uow.programs.get(TEAM, saved.id) == saved
        assert uow.programs.get("T0002", saved.id) is None
        assert uow.programs.all("T0002") == []
    assert [p.name for p in programs.programs(TEAM)] == ["Main program", "Internal"]


def test_a_programs_rules_are_its_own_and_the_workspaces_for_the_rest(
    database: Database,
) -> None:
    programs = service(database)
    saved = programs.save(coordinator_id="UCOORD1", program=internal(competitors=["Acme|Globex"]))
    rules = programs.rules_for(TEAM, saved.id)
    assert rules.term == timedelta(days=90)
    assert rules.pulse_every == timedelta(days=7)
    assert rules.default_session_minutes == 30 and 30 in rules.session_lengths
    assert rules.focus_areas == ("technical skills", "onboarding")
    assert not rules.cross_company.allows("acme ", "Globex", mentee_wants_other=False)
    assert rules.channel == "C0MAIN"  # no channel of its own: the workspace's
    assert rules.coordinators == RULES.coordinators  # workspace-wide
    assert programs.rules_for(TEAM, None) is RULES
    assert programs.rules_for("T0002", saved.id) == RULES  # not theirs: never leaks


def test_rules_are_cached_briefly_and_an_edit_here_is_seen_at_once(database: Database) -> None:
    programs = service(database)
    saved = programs.save(coordinator_id="UCOORD1", program=internal())
    assert saved.id is not None
    assert programs.rules_for(TEAM, saved.id).term == timedelta(days=90)
    # Another process changes it: this one keeps the cached rules for a few seconds...
    with SqlUnitOfWork(database.sessions) as uow:
        changed = uow.programs.get(TEAM, saved.id)
        assert changed is not None
        changed.term_days = 120
        uow.programs.save(changed)
        uow.commit()
    assert programs.rules_for(TEAM, saved.id).term == timedelta(days=90)
    assert service(database, cache_seconds=0).rules_for(TEAM, saved.id).term == timedelta(days=120)
    # ...while an edit through this service is seen by it at once.
    programs.save(coordinator_id="UCOORD1", program=internal(id=saved.id, term_days=60))
    assert programs.rules_for(TEAM, saved.id).term == timedelta(days=60)


def test_quiet_hours_are_the_prompts_programs(database: Database) -> None:
    programs = service(database)
    saved = programs.save(coordinator_id="UCOORD1", program=internal())
    hours = programs.quiet_hours(PROMPT_KINDS)

    def pulse(program_id: int | None = None) -> OutgoingMessage:
        return OutgoingMessage(
            team_id=TEAM,
            kind="rhythm.pulse",
            recipient="UE1",
            key="k",
            due_at=NOW,
            payload=Pulse(
                partnership_id=1, partner_id="UM1", round=1, tz="UTC", program_id=program_id
            ),
        )

    assert hours.hold_until(pulse(), NOW) is None  # 15:00 is inside the default 9-18
    held = hours.hold_until(pulse(saved.id), NOW)
    assert held == NOW + timedelta(hours=16)  # Internal's day is 7-13: Tuesday 07:00


def test_only_coordinators_change_programs(database: Database) -> None:
    programs = service(database)
    with pytest.raises(Exception, match="coordinators"):
        programs.save(coordinator_id="UE1", program=internal())
    assert programs.programs(TEAM)[1:] == []


def test_field_errors_name_each_wrong_field() -> None:
    wrong = internal(
        name="x" * 25,
        channel="not-a-channel",
        term_days=1,
        session_minutes=500,
        pulse_every_days=0,
        focus_areas=["a", "A"],
        workday_start_hour=18,
        workday_end_hour=9,
        competitors=["Acme"],
    )
    assert set(check_program(wrong, set())) == {
        "name",
        "channel",
        "term_days",
        "session_minutes",
        "pulse_every_days",
        "focus_areas",
        "workday_end",
        "competitors",
    }
    assert check_program(internal(), set()) == {}
    assert "name" in check_program(internal(), {"internal"})
    assert "name" in check_program(internal(name="main PROGRAM"), set())


def test_cohort_matching_pairs_people_only_within_their_program(database: Database) -> None:
    programs = service(database)
    own = programs.save(coordinator_id="UCOORD1", program=internal(focus_areas=["leadership"]))
    with SqlUnitOfWork(database.sessions) as uow:
        for user, program_id, places in (("UM1", None, 2), ("UM2", own.id, 1)):
            uow.mentors.save(
                MentorProfile(
                    team_id=TEAM,
                    user_id=user,
                    expertise=["leadership"],
                    bio="",
                    organization="Acme",
                    capacity=places,
                    languages=[],
                    tz="UTC",
                    program_id=program_id,
                )
            )
        for user, program_id in (("UE1", own.id), ("UE2", None), ("UE3", own.id)):
            uow.requests.save(
                MentorRequest(
                    team_id=TEAM,
                    mentee_id=user,
                    goals="Grow as a leader.",
                    focus_areas=["leadership"],
                    organization="Globex",
                    wants_other_org=False,
                    tz="UTC",
                    status=RequestStatus.WAITLISTED,
                    created_at=NOW,
                    program_id=program_id,
                )
            )
        uow.commit()
    cohorts = CohortService(
        uow=lambda: SqlUnitOfWork(database.sessions),
        clock=FixedClock(NOW),
        roster=Roster(uow=lambda: SqlUnitOfWork(database.sessions), rules=RULES),
        programs=programs,
    )
    plan = cohorts.plan_cohort(team_id=TEAM, coordinator_id="UCOORD1")
    # UM1 has a free place, but not for Internal's second mentee: programs never mix.
    pairs = {p.mentee_id: p.mentor_id for p in plan.pairs}
    assert pairs["UE2"] == "UM1"
    assert len(pairs) == 2 and len(plan.unmatched) == 1
    internal_mentee = "UE1" if "UE1" in pairs else "UE3"
    assert pairs[internal_mentee] == "UM2"


def test_the_program_list_is_cached_briefly_and_a_new_program_here_is_seen_at_once(
    database: Database,
) -> None:
    programs = service(database)
    first = programs.save(coordinator_id="UCOORD1", program=internal())
    assert [p.name for p in programs.programs(TEAM)][1:] == [first.name]
    # Another replica adds one: this process shows the list it read for a few seconds...
    with SqlUnitOfWork(database.sessions) as uow:
        uow.programs.save(internal(name="Elsewhere"))
        uow.commit()
    statements: list[str] = []
    sa.event.listen(
        database.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    assert [p.name for p in programs.programs(TEAM)][1:] == [first.name]
    assert statements == []  # from memory: no query on a modal's way to opening
    assert [p.name for p in service(database, cache_seconds=0).programs(TEAM)][1:] == [
        "Elsewhere",
        first.name,
    ]
    # ...while a program made through this service is listed by it at once.
    programs.save(coordinator_id="UCOORD1", program=internal(name="Zebra crossing"))
    assert [p.name for p in programs.programs(TEAM)][1:] == [
        "Elsewhere",
        first.name,
        "Zebra crossing",
    ]
