"""Cohort matching: the same scores and rules as `/mentor ask`, and truly the best assignment."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from bot.matching import cohort as cohort_module
from bot.matching.cohort import CohortInput, CohortResult, _Pairs, assign_cohort
from bot.matching.fit_matrix import assign_greedily, fit_matrix
from bot.matching.scores import is_eligible, profile_texts, score_mentor
from bot.matching.text import GoalsFit
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import CrossCompanyRule, FitRule
from tests.unit import cohort_reference

TEAM = "T0001"
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
AREAS = ("leadership", "communication", "career growth", "technical skills", "Leadership")
ZONES = ("Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "UTC", "", "Not/AZone")
ORGS = ("Acme", "acme ", "Globex", "Initech", "")
BIOS = (
    "",
    "Twenty years of leading teams through reorganizations.",
    "I lead engineering teams; reorgs, hiring and growing new managers.",
    "Ask me about public speaking, writing and negotiation.",
)
GOALS = (
    "Lead my first team through a reorganization",
    "Get better at public speaking and negotiation",
    "Find my feet as a new manager",
)
LANGUAGES = ([], ["English"], ["Spanish"], ["English", "Spanish"], ["German"])


def random_cohort(
    rng: random.Random, *, mentees: int, mentors: int, max_capacity: int = 3
) -> CohortInput:
    requests = [
        MentorRequest(
            team_id=TEAM,
            mentee_id=f"UE{i:04d}",
            goals=rng.choice(GOALS),
            focus_areas=rng.sample(AREAS, rng.randint(0, 3)),
            organization=rng.choice(ORGS),
            wants_other_org=rng.random() < 0.3,
            tz=rng.choice(ZONES),
            tz_offset=rng.choice((0, 3600, -8 * 3600, 13 * 3600)),
            id=i + 1,
            languages=list(rng.choice(LANGUAGES)),
        )
        for i in range(mentees)
    ]
    profiles = [
        MentorProfile(
            team_id=TEAM,
            user_id=f"UM{j:04d}",
            expertise=rng.sample(AREAS, rng.randint(1, 3)),
            bio=rng.choice(BIOS),
            organization=rng.choice(ORGS),
            capacity=rng.randint(1, max_capacity),
            languages=list(rng.choice(LANGUAGES)),
            tz=rng.choice(ZONES),
            tz_offset=rng.choice((0, 5 * 3600, -5 * 3600)),
            accepting=rng.random() < 0.9,
        )
        for j in range(mentors)
    ]
    loads = {p.user_id: rng.randint(0, p.capacity) for p in profiles if rng.random() < 0.3}
    excluded = {
        r.id or 0: frozenset(rng.sample([p.user_id for p in profiles], 1))
        for r in requests
        if profiles and rng.random() < 0.3
    }
    rule = CrossCompanyRule(
        required=rng.random() < 0.2,
        competitors=frozenset({frozenset({"acme", "globex"}), frozenset({"initech"})}),
    )
    fit = FitRule(weak_fit=rng.random() < 0.3, any_language=rng.random() < 0.3)
    return CohortInput(
        requests=requests,
        mentors=profiles,
        loads=loads,
        excluded=excluded,
        rule=rule,
        at=AT,
        fit=fit,
    )


@pytest.mark.parametrize("row_tables", [True, False])  # False: too many distinct rows
@pytest.mark.parametrize("seed", range(5))
def test_the_matrix_agrees_with_the_scores_and_rules_people_see(
    seed: int, row_tables: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not row_tables:
        monkeypatch.setattr(cohort_module, "ROW_TABLE_CELLS", 0)
    cohort = random_cohort(random.Random(seed), mentees=30, mentors=25)
    assert (_Pairs(cohort, np.arange(25)).org_rows is not None) == row_tables
    fit = fit_matrix(cohort)
    texts = profile_texts([m for m in cohort.mentors if m.accepting])
    for i, request in enumerate(cohort.requests):
        query = texts.query(request.goals)
        for j, mentor in enumerate(cohort.mentors):
            load = cohort.loads.get(mentor.user_id, 0)
            candidate = score_mentor(
                request,
                mentor,
                load=load,
                at=AT,
                fit=cohort.fit,
                goals=texts.fit(query, mentor.user_id),
            )
            expected = is_eligible(
                request,
                mentor,
                load=load,
                rule=cohort.rule,
                excluded=cohort.excluded.get(request.id or 0, frozenset()),
                fit=cohort.fit,
            ) and candidate.worth_it(request, cohort.fit)
            assert bool(fit.eligible[i, j]) == expected, (i, j)
            assert int(fit.scores[i, j]) == candidate.score


def best_by_brute_force(cohort: CohortInput) -> tuple[int, int]:
    """(mentees matched, total fit) of the best assignment, trying every one."""
    fit = fit_matrix(cohort)
    choices = [
        [None, *[j for j in range(len(cohort.mentors)) if fit.eligible[i, j]]]
        for i in range(len(cohort.requests))
    ]
    best = (0, 0)
    for combo in itertools.product(*choices):
        used = [j for j in combo if j is not None]
        if any(used.count(j) > fit.free[j] for j in set(used)):
            continue
        total = sum(int(fit.scores[i, j]) for i, j in enumerate(combo) if j is not None)
        best = max(best, (len(used), total))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_the_assignment_is_optimal_on_small_cohorts_checked_by_brute_force(seed: int) -> None:
    rng = random.Random(1000 + seed)
    cohort = random_cohort(
        rng, mentees=rng.randint(1, 6), mentors=rng.randint(1, 4), max_capacity=2
    )
    result = assign_cohort(cohort)
    assert (len(result.assignments), result.total_fit) == best_by_brute_force(cohort)
    # every pair keeps the hard rules and every mentor's capacity
    per_mentor: dict[str, int] = {}
    for a in result.assignments:
        load = cohort.loads.get(a.mentor.user_id, 0)
        assert is_eligible(
            a.request,
            a.mentor,
            load=load,
            rule=cohort.rule,
            excluded=cohort.excluded.get(a.request.id or 0, frozenset()),
            fit=cohort.fit,
        )
        asked = bool(a.request.focus_areas)
        assert cohort.fit.weak_fit or not asked or "no shared focus" not in a.reason
        assert cohort.fit.weak_fit or "no working hours" not in a.reason
        per_mentor[a.mentor.user_id] = per_mentor.get(a.mentor.user_id, 0) + 1
        assert per_mentor[a.mentor.user_id] + load <= a.mentor.capacity
    assert len({a.request.mentee_id for a in result.assignments}) == len(result.assignments)
    assert len(result.assignments) + len(result.unmatched) == len(cohort.requests)


def test_it_beats_greedy_where_the_first_choice_would_strand_someone() -> None:
    def person(user_id: str, areas: list[str]) -> MentorProfile:
        return MentorProfile(
            team_id=TEAM,
            user_id=user_id,
            expertise=areas,
            bio="",
            organization="",
            capacity=1,
            languages=[],
            tz="UTC",
        )

    def asking(index: int, areas: list[str]) -> MentorRequest:
        return MentorRequest(
            team_id=TEAM,
            mentee_id=f"UE{index}",
            goals="",
            focus_areas=areas,
            organization="",
            wants_other_org=False,
            tz="UTC",
            id=index,
        )

    # Ana fits both mentors, best the leader; Bo can only grow with the leader.
    cohort = CohortInput(
        requests=[asking(1, ["leadership", "communication"]), asking(2, ["leadership"])],
        mentors=[person("UM1", ["leadership", "communication"]), person("UM2", ["communication"])],
        loads={},
        excluded={2: frozenset({"UM2"})},
        rule=CrossCompanyRule(),
        at=AT,
    )
    greedy, best = assign_greedily(cohort), assign_cohort(cohort)
    assert len(greedy.assignments) == 1
    assert {(a.request.mentee_id, a.mentor.user_id) for a in best.assignments} == {
        ("UE1", "UM2"),
        ("UE2", "UM1"),
    }
    assert best.assignments[0].reason.startswith("shares")


def test_nobody_to_match_is_not_an_error() -> None:
    empty = CohortInput(
        requests=[], mentors=[], loads={}, excluded={}, rule=CrossCompanyRule(), at=AT
    )
    assert assign_cohort(empty).assignments == []
    cohort = random_cohort(random.Random(7), mentees=3, mentors=0)
    assert len(assign_cohort(cohort).unmatched) == 3


@pytest.mark.parametrize("seed", range(20))
def test_the_fast_ranking_gives_exactly_the_suggestions_of_the_reference(seed: int) -> None:
    from bot.matching.fit_matrix import rank_for_request
    from bot.matching.scores import rank_mentors

    rng = random.Random(500 + seed)
    cohort = random_cohort(rng, mentees=3, mentors=rng.randint(0, 60))
    for request in cohort.requests:
        excluded = cohort.excluded.get(request.id or 0, frozenset())
        for limit in (1, 3, 10_000):
            kwargs = {
                "loads": cohort.loads,
                "rule": cohort.rule,
                "excluded": excluded,
                "at": AT,
                "fit": cohort.fit,
                "limit": limit,
            }
            assert rank_for_request(request, cohort.mentors, **kwargs) == rank_mentors(
                request, cohort.mentors, **kwargs
            )


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("defaults", [("English",), ("German", "English"), ("Spanish",)])
def test_every_chosen_pair_is_scored_and_explained_as_score_mentor_does(
    seed: int, defaults: tuple[str, ...]
) -> None:
    """The reasons coordinators read and the scores they approve are ``score_mentor``'s,
    exactly, though a cohort works them out for all its pairs at once, but for the words of
    the mentee's goals: they count in the score and are never quoted to a coordinator."""
    rng = random.Random(7000 + seed)
    cohort = random_cohort(rng, mentees=rng.randint(40, 120), mentors=rng.randint(10, 40))
    cohort = replace(cohort, fit=replace(cohort.fit, default_languages=defaults))
    texts = profile_texts([m for m in cohort.mentors if m.accepting])
    quoted = 0
    for result in (assign_cohort(cohort), assign_greedily(cohort)):
        assert result.assignments
        for a in result.assignments:
            goals = texts.fit(texts.query(a.request.goals), a.mentor.user_id)
            expected = score_mentor(
                a.request,
                a.mentor,
                load=cohort.loads.get(a.mentor.user_id, 0),
                at=AT,
                fit=cohort.fit,
                goals=GoalsFit(goals.similarity),
            )
            assert (a.score, a.reason) == (expected.score, expected.reason)
            assert "the goals'" not in a.reason
            quoted += bool(goals.words)  # what the mentee would have been shown
    assert quoted  # the cohorts' goals do meet profiles: there were words to leave out


def keeps_the_rules(cohort: CohortInput, result: CohortResult) -> None:
    """Every pair keeps the hard rules, the fit floor and every mentor's free places."""
    per_mentor: dict[str, int] = {}
    for a in result.assignments:
        load = cohort.loads.get(a.mentor.user_id, 0)
        assert is_eligible(
            a.request,
            a.mentor,
            load=load,
            rule=cohort.rule,
            excluded=cohort.excluded.get(a.request.id or 0, frozenset()),
            fit=cohort.fit,
        )
        per_mentor[a.mentor.user_id] = per_mentor.get(a.mentor.user_id, 0) + 1
        assert per_mentor[a.mentor.user_id] + load <= a.mentor.capacity
    assert len({a.request.mentee_id for a in result.assignments}) == len(result.assignments)
    assert len(result.assignments) + len(result.unmatched) == len(cohort.requests)


@pytest.mark.parametrize("seed", range(60))
def test_the_optimum_holds_with_more_places_checked_by_brute_force(seed: int) -> None:
    """The sparse graph proved optimal by potentials, on cohorts small enough to try every
    assignment: ties, up to three places a mentor, rivals and same-organization rules, the
    fit floor."""
    rng = random.Random(3000 + seed)
    cohort = random_cohort(
        rng, mentees=rng.randint(1, 6), mentors=rng.randint(1, 4), max_capacity=3
    )
    result = assign_cohort(cohort)
    assert (len(result.assignments), result.total_fit) == best_by_brute_force(cohort)
    keeps_the_rules(cohort, result)


@pytest.mark.parametrize("seed", range(12))
def test_it_matches_the_previous_planner_on_larger_cohorts(seed: int) -> None:
    """Where brute force cannot go: the planner before issue 19 (a dense matrix of every
    place, pinned optimal by brute force) gives the same count and total fit, with many
    ties (few distinct scores) and popular mentors competed for."""
    rng = random.Random(4000 + seed)
    cohort = random_cohort(
        rng, mentees=rng.randint(30, 150), mentors=rng.randint(5, 80), max_capacity=4
    )
    result = assign_cohort(cohort)
    assert (len(result.assignments), result.total_fit) == cohort_reference.best(cohort)
    keeps_the_rules(cohort, result)


def test_the_same_cohort_always_gets_the_same_pairs() -> None:
    cohort = random_cohort(random.Random(11), mentees=80, mentors=30)

    def pairs(result: CohortResult) -> list[tuple[str, str]]:
        return [(a.request.mentee_id, a.mentor.user_id) for a in result.assignments]

    assert pairs(assign_cohort(cohort)) == pairs(assign_cohort(cohort))


def test_the_weights_are_one_byte_per_pair_and_drop_mentors_without_room() -> None:
    """The matrix the solvers get: int8 scores, -1 where a rule forbids the pair, and no
    column for a mentor who is full or not accepting."""
    cohort = random_cohort(random.Random(5), mentees=40, mentors=30)
    reference = fit_matrix(cohort)
    with_room = np.flatnonzero(
        [p.accepting and cohort.loads.get(p.user_id, 0) < p.capacity for p in cohort.mentors]
    )
    assert 0 < len(with_room) < len(cohort.mentors)
    weights = _Pairs(cohort, with_room).weights_and_reach()[0]
    assert weights.dtype == np.int8
    expected = np.where(reference.eligible, reference.scores, -1)[:, with_room]
    assert (weights == expected).all()
