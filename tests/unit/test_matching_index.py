"""The per-process mentor index: exactly today's suggestions, reloaded only when versions move."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Collection, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import cast

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.index import MentorIndex
from bot.matching.scores import Candidate, is_eligible, rank_mentors
from bot.model.mentor_pool import MentorColumns, PoolVersion
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import CrossCompanyRule, FitRule
from bot.ports import SuggestWork

TEAM = "T0001"
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
AREAS = ("leadership", "communication", "career growth", "technical skills", "Leadership")
ZONES = ("Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati", "", "No/Z")
ORGS = ("Acme", "acme ", "Globex", "Initech", "")
USERS = ("UA", "UB", "Ua", "U1", "U10", "U2", "UZ", "Ü", "U_", "UM00")
BIOS = (
    "",
    "bio",
    "Twenty years of leading teams through reorganizations.",
    "I lead engineering teams; reorgs, hiring and growing new managers.",
    "Ask me about public speaking, writing and negotiation.",
    "Leadership coach. Leading through change, leading people.",
)
GOALS = (
    "",
    "Lead my first team through a reorganization",
    "Get better at public speaking and negotiation",
    "leadership leadership leadership",
    "Something nobody mentions: xylophones",
)
LANGUAGES = ([], ["English"], ["en"], ["Spanish"], ["Español", "German"], ["Klingon"], [""])


class _Pool:
    """What the index reads through the ports: the mentors, their loads, a version."""

    def __init__(self, mentors: list[MentorProfile], loads: dict[str, int]) -> None:
        self.by_id = {m.user_id: m for m in mentors}
        self.loads = loads
        self.version: PoolVersion | None = PoolVersion()
        self.pool_reads = 0
        self.load_reads = 0
        self.change_reads = 0
        self.stamps: dict[str, int] = {}  # user -> the change number that last wrote them

    def commit(self, write: list[MentorProfile] = (), delete: Collection[str] = ()) -> None:  # type: ignore[assignment]
        """A committed change, as storage stamps it: written rows carry the new number; a
        deleted one leaves none, so the structure moves."""
        assert self.version is not None
        number = self.version.mentors + 1
        for mentor in write:
            self.by_id[mentor.user_id] = mentor
            self.stamps[mentor.user_id] = number
        for user_id in delete:
            self.by_id.pop(user_id, None)
        self.version = replace(
            self.version, mentors=number, structure=self.version.structure + bool(delete)
        )

    # the mentors repository
    def pool(self, team_id: str) -> MentorColumns:
        self.pool_reads += 1
        return MentorColumns.of([m for m in self.by_id.values() if m.accepting])

    def pool_version(self, team_id: str) -> PoolVersion | None:
        return self.version

    def pool_changes(self, team_id: str, since: dict[str, int]) -> MentorColumns:
        self.change_reads += 1
        if team_id not in since:
            return MentorColumns()
        rows = [m for u, m in self.by_id.items() if self.stamps.get(u, 0) > since[team_id]]
        return replace(
            MentorColumns.of([m for m in rows if m.accepting]),
            left=[(m.team_id, m.user_id) for m in rows if not m.accepting],
        )

    def profiles(self, team_id: str, user_ids: Collection[str]) -> list[MentorProfile]:
        return [self.by_id[u] for u in user_ids if u in self.by_id]

    # partnerships and proposals
    def active_by_mentor(self, team_id: str) -> dict[str, int]:
        self.load_reads += 1
        return dict(self.loads)

    def pending_by_mentor(self, team_id: str) -> dict[str, int]:
        return {}

    def work(self) -> SuggestWork:
        return cast(
            SuggestWork,
            type("Work", (), {"mentors": self, "partnerships": self, "proposals": self})(),
        )


mentors_st = st.lists(
    st.builds(
        MentorProfile,
        team_id=st.just(TEAM),
        user_id=st.sampled_from(USERS),
        expertise=st.lists(st.sampled_from(AREAS), max_size=4),
        bio=st.sampled_from(BIOS),
        organization=st.sampled_from(ORGS),
        capacity=st.integers(0, 4),
        languages=st.sampled_from(LANGUAGES).map(list),
        tz=st.sampled_from(ZONES),
        tz_offset=st.sampled_from((0, 3600, -5 * 3600, 13 * 3600, 14 * 3600)),
        accepting=st.booleans(),
        program_id=st.sampled_from((None, None, 7)),
    ),
    max_size=len(USERS),
    unique_by=lambda m: m.user_id,
)
requests_st = st.builds(
    MentorRequest,
    team_id=st.just(TEAM),
    mentee_id=st.sampled_from(("UMENTEE", "UA", "UB")),
    goals=st.sampled_from(GOALS),
    focus_areas=st.lists(st.sampled_from((*AREAS, "unknown area")), max_size=4),
    organization=st.sampled_from(ORGS),
    wants_other_org=st.booleans(),
    tz=st.sampled_from(ZONES),
    tz_offset=st.sampled_from((0, 3600, -8 * 3600, 12 * 3600)),
    program_id=st.sampled_from((None, 7)),
    id=st.just(1),
    languages=st.sampled_from(LANGUAGES).map(list),
)
fits_st = st.builds(
    FitRule,
    weak_fit=st.booleans(),
    any_language=st.booleans(),
    default_languages=st.sampled_from((("English",), ("English", "German"), ("Spanish",))),
)
rules_st = st.builds(
    CrossCompanyRule,
    required=st.booleans(),
    competitors=st.sampled_from(
        (frozenset(), frozenset({frozenset({"acme", "globex"}), frozenset({"initech"})}))
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    mentors=mentors_st,
    request=requests_st,
    rule=rules_st,
    loads=st.dictionaries(st.sampled_from(USERS), st.integers(0, 4)),
    excluded=st.frozensets(st.sampled_from(USERS), max_size=3),
    limit=st.sampled_from((1, 3, 10_000)),
    days=st.integers(0, 365),
    fit=fits_st,
)
def test_the_index_ranks_exactly_as_rank_mentors_does(
    mentors: list[MentorProfile],
    request: MentorRequest,
    rule: CrossCompanyRule,
    loads: dict[str, int],
    excluded: frozenset[str],
    limit: int,
    days: int,
    fit: FitRule,
) -> None:
    """Scores, reasons, languages, the fit floor and the goals' TF-IDF alike."""
    at = AT + timedelta(days=days, hours=days % 24)  # either side of daylight saving
    pool = _Pool(mentors, loads)
    program = [m for m in mentors if m.program_id == request.program_id]
    everyone = {
        c.mentor.user_id: c
        for c in rank_mentors(
            request, program, loads=loads, rule=rule, excluded=excluded, at=at, limit=99, fit=fit
        )
    }
    expected = rank_mentors(
        request, program, loads=loads, rule=rule, excluded=excluded, at=at, limit=limit, fit=fit
    )
    index = MentorIndex()
    found = index.rank(
        pool.work(), request, rule=rule, excluded=excluded, at=at, limit=limit, fit=fit
    )
    assert found == expected
    for mentor in mentors:  # choosing one mentor scores that mentor alone, the same way
        assert index.score(
            pool.work(), request, mentor, rule=rule, excluded=excluded, at=at, fit=fit
        ) == everyone.get(mentor.user_id)
    if not expected:  # the coordinators hear why: every mentor with room is counted once
        why = index.shortfall(pool.work(), request, rule=rule, excluded=excluded, at=at, fit=fit)
        assert why.other_language + why.no_shared_focus + why.no_overlap == why.with_room


def _mentor(user_id: str, *, capacity: int = 2) -> MentorProfile:
    return MentorProfile(
        team_id=TEAM,
        user_id=user_id,
        expertise=["leadership"],
        bio="",
        organization="",
        capacity=capacity,
        languages=[],
        tz="UTC",
    )


REQUEST = MentorRequest(
    team_id=TEAM,
    mentee_id="UMENTEE",
    goals="",
    focus_areas=["leadership"],
    organization="",
    wants_other_org=False,
    tz="UTC",
    id=1,
)


def _rank(index: MentorIndex, pool: _Pool) -> list[str]:
    found = index.rank(
        pool.work(), REQUEST, rule=CrossCompanyRule(), excluded=frozenset(), at=AT, limit=3
    )
    return [c.mentor.user_id for c in found]


def test_the_pool_is_read_again_only_when_its_version_moves() -> None:
    pool = _Pool([_mentor("UA"), _mentor("UB")], {})
    index = MentorIndex()
    assert _rank(index, pool) == ["UA", "UB"]
    assert _rank(index, pool) == ["UA", "UB"]
    assert (pool.pool_reads, pool.load_reads) == (1, 1)

    pool.commit([_mentor("UC")])  # another replica's new mentor: seen once it commits
    assert _rank(index, pool) == ["UA", "UB", "UC"]
    assert (pool.pool_reads, pool.change_reads, pool.load_reads) == (1, 1, 2)  # changes only

    pool.commit([_mentor("UA", capacity=0)])  # an edit: nothing else is read
    assert _rank(index, pool) == ["UB", "UC"]
    assert (pool.pool_reads, pool.change_reads, pool.load_reads) == (1, 2, 2)

    pool.loads = {"UB": 2}  # a partnership elsewhere: loads alone are read again
    assert pool.version is not None
    pool.version = replace(pool.version, loads=1)
    assert _rank(index, pool) == ["UC"]
    assert (pool.pool_reads, pool.change_reads, pool.load_reads) == (1, 2, 3)

    pool.commit(delete=["UC"])  # a row gone without a trace: the pool is read whole
    assert _rank(index, pool) == []
    assert (pool.pool_reads, pool.change_reads) == (2, 2)


def test_a_transaction_with_its_own_changes_reads_afresh_and_keeps_nothing() -> None:
    pool = _Pool([_mentor("UA")], {})
    index = MentorIndex()
    assert _rank(index, pool) == ["UA"]
    pool.by_id["UB"] = _mentor("UB")
    pool.version = None  # this transaction saved a mentor it has not committed yet
    assert _rank(index, pool) == ["UA", "UB"]
    pool.version = PoolVersion()  # rolled back after all: the kept copy still holds
    del pool.by_id["UB"]
    assert _rank(index, pool) == ["UA"]
    assert pool.pool_reads == 2


class _Gate:
    """A reader for background builds that waits until the test opens it."""

    def __init__(self, pool: _Pool) -> None:
        self.pool = pool
        self.open = threading.Event()
        self.reads = 0

    @contextlib.contextmanager
    def __call__(self) -> Iterator[SuggestWork]:
        assert self.open.wait(10), "the test never opened the gate"
        self.reads += 1
        yield self.pool.work()


def test_a_large_pool_keeps_answering_while_it_is_rebuilt_in_the_background() -> None:
    pool = _Pool([_mentor("UA"), _mentor("UB"), _mentor("UD")], {})
    gate = _Gate(pool)
    index = MentorIndex(gate, background_from=0)  # every pool counts as large here
    index.incremental = False  # as when too many changed to patch them in
    assert _rank(index, pool) == ["UA", "UB", "UD"]  # the first build: nothing to serve yet
    assert (pool.pool_reads, gate.reads) == (1, 0)

    pool.by_id["UA"] = replace(pool.by_id["UA"], accepting=False)  # stopped taking mentees
    pool.by_id["UB"] = replace(pool.by_id["UB"], capacity=0)  # no room any more
    pool.by_id["UC"] = _mentor("UC")  # new: waits for the rebuild
    pool.version = PoolVersion(mentors=1)
    assert _rank(index, pool) == ["UD"]  # the pool in hand, checked against today's profiles
    assert pool.pool_reads == 1  # nothing read on the request's path

    gate.open.set()
    assert index.wait_idle()
    assert (pool.pool_reads, gate.reads) == (2, 1)
    assert _rank(index, pool) == ["UC", "UD"] == _rank(MentorIndex(), pool)
    assert pool.pool_reads == 3  # the fresh index's own read; the rebuilt one read nothing


def test_warming_builds_on_a_thread_and_the_first_ask_waits_for_that_build() -> None:
    pool = _Pool([_mentor("UA"), _mentor("UB")], {})
    gate = _Gate(pool)
    index = MentorIndex(gate)
    index.warm([TEAM])
    asked: list[list[str]] = []
    ask = threading.Thread(target=lambda: asked.append(_rank(index, pool)))
    ask.start()
    gate.open.set()
    ask.join(10)
    assert asked == [["UA", "UB"]]
    assert (pool.pool_reads, gate.reads) == (1, 1)  # one build, the warming's


@settings(max_examples=150, deadline=None)
@given(
    before=mentors_st,
    after=mentors_st,
    request=requests_st,
    rule=rules_st,
    loads=st.dictionaries(st.sampled_from(USERS), st.integers(0, 4)),
    excluded=st.frozensets(st.sampled_from(USERS), max_size=3),
    limit=st.sampled_from((1, 3, 10_000)),
    fit=fits_st,
)
def test_a_background_rebuild_answers_exactly_as_a_fresh_build(
    before: list[MentorProfile],
    after: list[MentorProfile],
    request: MentorRequest,
    rule: CrossCompanyRule,
    loads: dict[str, int],
    excluded: frozenset[str],
    limit: int,
    fit: FitRule,
) -> None:
    """Whatever changed between two versions: while the rebuild runs, only mentors the rules
    and the fit floor allow as their profiles are now; once it is done, exactly a fresh
    index's answer (and ``rank_mentors``')."""
    pool = _Pool(before, loads)
    gate = _Gate(pool)
    index = MentorIndex(gate, background_from=0)
    index.incremental = False

    def rank(on: MentorIndex) -> list[Candidate]:
        return on.rank(
            pool.work(), request, rule=rule, excluded=excluded, at=AT, limit=limit, fit=fit
        )

    rank(index)
    pool.by_id = {m.user_id: m for m in after}
    pool.version = PoolVersion(mentors=1)
    for candidate in rank(index):
        now = pool.by_id[candidate.mentor.user_id]
        assert now.accepting and now.program_id == request.program_id
        assert is_eligible(
            request,
            now,
            load=loads.get(now.user_id, 0),
            rule=rule,
            excluded=excluded | {request.mentee_id},
            fit=fit,
        )
        assert candidate.worth_it(request, fit)
    gate.open.set()
    assert index.wait_idle()
    program = [m for m in after if m.program_id == request.program_id]
    assert (
        rank(index)
        == rank(MentorIndex())
        == rank_mentors(
            request, program, loads=loads, rule=rule, excluded=excluded, at=AT, limit=limit, fit=fit
        )
    )


changes_st = st.lists(
    st.one_of(
        mentors_st.map(lambda written: ("write", written)),
        st.lists(st.sampled_from(USERS), max_size=2).map(lambda gone: ("delete", gone)),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(
    mentors=mentors_st,
    changes=changes_st,
    request=requests_st,
    rule=rules_st,
    loads=st.dictionaries(st.sampled_from(USERS), st.integers(0, 4)),
    excluded=st.frozensets(st.sampled_from(USERS), max_size=3),
    limit=st.sampled_from((1, 3, 10_000)),
    fit=fits_st,
)
def test_an_index_patched_change_by_change_answers_exactly_as_a_fresh_build(
    mentors: list[MentorProfile],
    changes: list[tuple[str, list[MentorProfile] | list[str]]],
    request: MentorRequest,
    rule: CrossCompanyRule,
    loads: dict[str, int],
    excluded: frozenset[str],
    limit: int,
    fit: FitRule,
) -> None:
    """Mentors edited, arriving, leaving the program or stopping (each commit's rows
    patched into the columns and the goals' TF-IDF), or deleted (read whole): after every
    commit the same candidates as a fresh index and as ``rank_mentors``, bit for bit, and
    the same scores and shortfall for each mentor."""
    pool = _Pool(mentors, loads)
    index = MentorIndex()

    def rank(on: MentorIndex) -> list[Candidate]:
        return on.rank(
            pool.work(), request, rule=rule, excluded=excluded, at=AT, limit=limit, fit=fit
        )

    rank(index)
    for kind, what in changes:
        reads = pool.pool_reads
        if kind == "write":
            pool.commit(write=cast(list[MentorProfile], what))
        else:
            pool.commit(delete=cast(list[str], what))
        found = rank(index)
        if kind == "write":  # patched: nothing read whole
            assert pool.pool_reads == reads
        program = [m for m in pool.by_id.values() if m.program_id == request.program_id]
        assert found == rank(MentorIndex()) == rank_mentors(
            request, program, loads=loads, rule=rule, excluded=excluded, at=AT, limit=limit,
            fit=fit,
        )  # fmt: skip
        fresh = MentorIndex()
        for mentor in pool.by_id.values():
            assert index.score(
                pool.work(), request, mentor, rule=rule, excluded=excluded, at=AT, fit=fit
            ) == fresh.score(
                pool.work(), request, mentor, rule=rule, excluded=excluded, at=AT, fit=fit
            )
        assert index.shortfall(
            pool.work(), request, rule=rule, excluded=excluded, at=AT, fit=fit
        ) == fresh.shortfall(pool.work(), request, rule=rule, excluded=excluded, at=AT, fit=fit)


def test_in_a_shared_pool_each_mentor_is_scored_on_their_own_goals_fit() -> None:
    """The goals' TF-IDF rows are in workspace-then-user order, the columns in user order:
    a member workspace's "UA" sorts first among users but after the host's "UB" among
    people. Each mentor's similarity lands on their own row (it went to the other one's)."""
    shared = [
        replace(_mentor("UA"), team_id="T2", program_id=7, host_team_id=TEAM, bio="reorgs"),
        replace(_mentor("UB"), program_id=7, bio="knitting"),
    ]

    class Shared(_Pool):
        def pool(self, team_id: str) -> MentorColumns:
            self.pool_reads += 1
            return replace(MentorColumns.of(shared), members={7: frozenset({"T2"})})

    pool = Shared(shared, {})
    request = replace(REQUEST, program_id=7, goals="Leading through reorgs")
    found = MentorIndex().rank(
        pool.work(), request, rule=CrossCompanyRule(), excluded=frozenset(), at=AT, limit=1
    )
    assert [(c.mentor.team_id, c.mentor.user_id) for c in found] == [("T2", "UA")]
    assert found[0].goals.words == ("reorgs",)
