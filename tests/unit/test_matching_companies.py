"""The pool and the rules of a program shared across workspaces: whose mentors are in it, who
counts as which company, rivals named by workspace, loads by each mentor's own workspace,
and the index reloading when any workspace involved moves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.matching.companies import Companies, company_key, workspace_rule
from bot.matching.fit_matrix import rank_for_request
from bot.matching.index import MentorIndex
from bot.matching.scores import Candidate
from bot.matching.suggestions import excluded_mentors, program_people, with_company
from bot.model.mentor_pool import MentorColumns, PoolVersion
from bot.model.partnership import MentorProfile, MentorRequest, Partnership
from bot.model.rules import CrossCompanyRule, ProgramRules
from bot.model.sharing import MembershipStatus, ProgramMembership
from tests.unit.fakes import FakeMentorRepository, FakeStore, FakeUnitOfWork

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PROGRAM = 7  # Acme's (T1) shared program
NAMES = {"T1": "Acme", "T2": "Globex", "T3": "Initech"}
OPEN = CrossCompanyRule()
ANOTHER_COMPANY = CrossCompanyRule(required=True)


def mentor(team: str, user: str, *, host: str | None = "T1", **more: object) -> MentorProfile:
    fields: dict[str, object] = {
        "expertise": ["leadership"],
        "bio": "I lead teams.",
        "organization": "Typed Org",
        "capacity": 2,
        "languages": [],
        "tz": "Europe/London",
        "program_id": PROGRAM,
        "host_team_id": None if team == "T1" else host,
    } | more
    return MentorProfile(team_id=team, user_id=user, **fields)  # type: ignore[arg-type]


def request(team: str = "T2", user: str = "UE", **more: object) -> MentorRequest:
    fields: dict[str, object] = {
        "goals": "Lead a team",
        "focus_areas": ["leadership"],
        "organization": "Typed Org",
        "wants_other_org": False,
        "tz": "Europe/London",
        "program_id": PROGRAM,
        "host_team_id": None if team == "T1" else "T1",
        "id": 1,
    } | more
    return MentorRequest(team_id=team, mentee_id=user, **fields)  # type: ignore[arg-type]


def member(team: str, *, active: bool = True) -> ProgramMembership:
    return ProgramMembership(
        team_id=team,
        host_team_id="T1",
        program_id=PROGRAM,
        accepted_by="UCOORD",
        accepted_at=AT,
        status=MembershipStatus.ACTIVE if active else MembershipStatus.REMOVED,
    )


def store(*mentors: MentorProfile, members: tuple[ProgramMembership, ...] = ()) -> FakeStore:
    found = FakeStore()
    found.state.workspace_names = dict(NAMES)
    found.state.memberships = list(members)
    for m in mentors:
        found.state.mentors[(m.team_id, m.user_id)] = m
    return found


def ranked(
    data: FakeStore, asked: MentorRequest, rule: CrossCompanyRule = OPEN
) -> list[tuple[str, str, str]]:
    with FakeUnitOfWork(data) as uow:
        found = MentorIndex().rank(uow, asked, rule=rule, excluded=frozenset(), at=AT, limit=10)
    return [(c.mentor.team_id, c.mentor.user_id, c.reason) for c in found]


def people(found: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return sorted((team, user) for team, user, _ in found)


def test_the_pool_is_the_hosts_and_its_active_members_mentors_in_the_program() -> None:
    data = store(
        mentor("T1", "UA"),
        mentor("T2", "UB"),
        mentor("T3", "UC"),  # Initech was removed from the program
        mentor("T2", "UD", host=None, program_id=9),  # Globex's own program
        mentor("T2", "UF", accepting=False),
        members=(member("T2"), member("T3", active=False)),
    )
    assert people(ranked(data, request())) == [("T1", "UA"), ("T2", "UB")]
    # The host's own people see the same pool.
    assert people(ranked(data, request("T1", "UE1"))) == [("T1", "UA"), ("T2", "UB")]


def test_a_removed_members_people_find_nobody() -> None:
    data = store(mentor("T1", "UA"), members=(member("T3", active=False),))
    assert ranked(data, request("T3")) == []


def test_the_same_user_id_in_two_workspaces_is_two_people() -> None:
    data = store(mentor("T1", "UX"), mentor("T2", "UX"), members=(member("T2"),))
    assert people(ranked(data, request("T3", "UE"), OPEN)) == []  # T3 is no member
    found = ranked(data, request("T2", "UX"))  # the T2 mentee UX is not the T2 mentor UX...
    assert people(found) == [("T1", "UX")]  # ...whom they cannot be asked about: themselves


def test_in_a_shared_program_the_company_is_the_workspace_not_what_was_typed() -> None:
    data = store(
        mentor("T1", "UA", organization="Typed Org"),  # typed the same as the mentee
        mentor("T2", "UB", organization="Globex Labs"),  # typed another organization
        members=(member("T2"),),
    )
    found = ranked(data, request(organization="Typed Org"), ANOTHER_COMPANY)
    assert [(team, user) for team, user, _ in found] == [("T1", "UA")]
    assert found[0][2].startswith("from Acme, shares leadership")
    assert "another organization" not in found[0][2]


def test_a_mentee_who_wants_another_company_gets_another_workspace() -> None:
    data = store(mentor("T1", "UA"), mentor("T2", "UB"), members=(member("T2"),))
    assert people(ranked(data, request(wants_other_org=True))) == [("T1", "UA")]


def test_rivals_may_name_a_member_workspace_by_team_id_or_installed_name() -> None:
    data = store(
        mentor("T1", "UA"),
        mentor("T3", "UC"),
        members=(member("T2"), member("T3")),
    )
    for pair in (("T2", "Initech"), ("globex", "t3"), ("Initech", "Globex")):
        rule = CrossCompanyRule(competitors=frozenset({frozenset(p.casefold() for p in pair)}))
        assert people(ranked(data, request(), rule)) == [("T1", "UA")], pair
    # The rivals' own people are still matched with everyone else.
    rule = CrossCompanyRule(competitors=frozenset({frozenset(("t2", "initech"))}))
    assert people(ranked(data, request("T1", "UE1"), rule)) == [("T1", "UA"), ("T3", "UC")]


def test_workspace_rule_adds_the_workspace_pairs_and_keeps_the_typed_ones() -> None:
    rule = CrossCompanyRule(competitors=frozenset({frozenset(("acme", "t2"))}))
    translated = workspace_rule(rule, {"T1", "T2", "T3"}, NAMES)
    assert translated.competitors == {
        frozenset(("acme", "t2")),
        frozenset((company_key("T1"), company_key("T2"))),
    }
    assert not translated.allows(company_key("T1"), company_key("T2"), mentee_wants_other=False)
    assert translated.allows(company_key("T1"), company_key("T3"), mentee_wants_other=False)


def test_outside_a_shared_program_the_typed_organization_still_counts() -> None:
    companies = Companies(owner="T1", members={PROGRAM: frozenset({"T2"})}, names=NAMES)
    own = request("T1", program_id=3, host_team_id=None)
    assert companies.request(own).organization == "Typed Org"
    assert companies.request(request()).organization == company_key("T2")
    assert companies.company_of(request(), mentor("T1", "UA")) == "Acme"
    assert companies.company_of(request(), mentor("T2", "UB")) == ""


def test_a_mentors_load_counts_their_pairs_by_their_own_workspace() -> None:
    data = store(
        mentor("T1", "UA"),
        mentor("T1", "UB", capacity=1),  # Acme's UB: another person than Globex's UB
        mentor("T2", "UB", capacity=1),
        members=(member("T2"),),
    )
    # UB of Globex mentors someone in Acme's program: the pair is Acme's (team_id T1).
    data.state.partnerships[1] = Partnership(
        team_id="T1",
        mentor_id="UB",
        mentee_id="UE9",
        request_id=None,
        started_at=AT,
        ends_at=AT + timedelta(days=90),
        program_id=PROGRAM,
        mentee_team_id="T1",
        mentor_team_id="T2",
    )
    # Globex's UB is full; Acme's UB, with the same user ID, is not.
    assert people(ranked(data, request("T1", "UE1"))) == [("T1", "UA"), ("T1", "UB")]


def rank_for(
    uow: FakeUnitOfWork, *, rules: ProgramRules, request: MentorRequest, now: datetime, limit: int
) -> list[Candidate]:
    """The reference: ``rank_for_request`` (the cohort's scoring) over the program's people
    as cohort matching reads them (``program_people``), each person's company their
    workspace; the index must rank exactly so."""
    people = program_people(uow, request.program_team_id)
    companies = people.companies
    if not companies.takes_part(request.team_id, request.program_id):
        return []
    mentors = {(m.team_id, m.user_id): m for m in people.mentors}
    ranked = rank_for_request(
        companies.request(request),
        [companies.mentor(m) for m in people.mentors if m.program_id == request.program_id],
        loads=people.loads,
        rule=companies.rule(rules.cross_company, request.program_id),
        excluded=excluded_mentors(uow, request),
        at=now,
        limit=limit,
        fit=rules.fit,
    )
    return [
        replace(
            c,
            mentor=(mentor := mentors[(c.mentor.team_id, c.mentor.user_id)]),
            reason=with_company(c.reason, companies.company_of(request, mentor)),
        )
        for c in ranked
    ]


def test_the_index_and_cohort_ranking_agree_on_a_shared_program() -> None:
    data = store(
        mentor("T1", "UA"),
        mentor("T1", "UA2", tz="America/New_York"),
        mentor("T2", "UB"),
        mentor("T3", "UC", organization="Typed Org"),
        members=(member("T2"), member("T3")),
    )
    rules = ProgramRules(cross_company=ANOTHER_COMPANY)
    asked = request("T3", "UE", organization="Typed Org")
    data.state.requests[1] = asked
    index = ranked(data, asked, ANOTHER_COMPANY)
    with FakeUnitOfWork(data) as uow:
        cohort = rank_for(uow, rules=rules, request=asked, now=AT, limit=10)
    assert [(c.mentor.team_id, c.mentor.user_id, c.reason) for c in cohort] == index
    assert ("T3", "UC") not in people(index)
    assert {reason.split(",")[0] for _, _, reason in index} == {"from Acme", "from Globex"}


class _Versioned(FakeMentorRepository):
    """The fake mentors, with a version a test moves and a count of whole-pool reads."""

    version = PoolVersion()
    reads = 0

    def pool(self, team_id: str) -> MentorColumns:
        type(self).reads += 1
        return super().pool(team_id)

    def pool_version(self, team_id: str) -> PoolVersion | None:
        return type(self).version


MEMBER = PoolVersion(shared=(("T2", 0, 0),))


@pytest.mark.parametrize(
    ("start", "moved", "reloads"),
    [
        (PoolVersion(), MEMBER, 1),  # a member joined
        (MEMBER, PoolVersion(), 1),  # a member left
        (MEMBER, PoolVersion(shared=(("T2", 1, 0),)), 1),  # a member's mentor changed
        (MEMBER, PoolVersion(mentors=1, shared=(("T2", 0, 0),)), 1),  # the host's did
        (MEMBER, PoolVersion(shared=(("T2", 0, 5),)), 0),  # only a member's loads moved
        (MEMBER, MEMBER, 0),  # nothing moved
    ],
)
def test_the_index_reloads_when_any_workspace_involved_moves(
    start: PoolVersion, moved: PoolVersion, reloads: int
) -> None:
    data = store(mentor("T1", "UA"), mentor("T2", "UB"), members=(member("T2"),))
    index = MentorIndex()
    _Versioned.reads, _Versioned.version = 0, start
    with FakeUnitOfWork(data) as uow:
        uow.mentors = _Versioned(data)
        index.rank(uow, request(), rule=OPEN, excluded=frozenset(), at=AT, limit=3)
        _Versioned.version = moved
        found = index.rank(uow, request(), rule=OPEN, excluded=frozenset(), at=AT, limit=3)
    assert _Versioned.reads == 1 + reloads
    assert len(found) == 2
