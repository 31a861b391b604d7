"""Cohort matching: the best assignment of a whole waitlist to the mentors' free places at once.

Suggesting three mentors to one mentee (``bot.matching``) is greedy by nature: the first mentee
takes the best mentor whether or not the next one needed them more. For a cohort, coordinators
want the assignment that is best for everyone together, so this solves it as an assignment
problem: one row per mentee, one column per free place of a mentor, solved with SciPy's
``linear_sum_assignment``.

What "best" means, in order: as many mentees matched as the hard rules allow, then the highest
total fit among those assignments. Scores are the very ones ``/mentor ask`` shows
(``score_mentor``), computed for the whole matrix at once with NumPy so that 2,000 mentees and
1,000 mentors take seconds, not minutes; ``tests/unit/test_cohort.py`` pins the two together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.matching.scores import (
    CAPACITY_WEIGHT,
    FOCUS_WEIGHT,
    GOALS_WEIGHT,
    OVERLAP_WEIGHT,
    WORKDAY_HOURS,
    Candidate,
    profile_texts,
    score_mentor,
    speak_together,
    utc_offset_seconds,
)
from bot.matching.text import FULL_MATCH, GoalsQuery, ProfileTexts
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import DEFAULT_FIT, CrossCompanyRule, FitRule, normalize_org


@dataclass(frozen=True)
class CohortInput:
    """Everything the assignment needs, read in one transaction."""

    requests: Sequence[MentorRequest]
    mentors: Sequence[MentorProfile]
    loads: Mapping[str, int]  # mentees each mentor has or has been asked about already
    excluded: Mapping[int, frozenset[str]]  # request ID -> mentors never to pair it with
    rule: CrossCompanyRule
    at: datetime
    fit: FitRule = DEFAULT_FIT  # languages and the fit floor


@dataclass(frozen=True)
class Assignment:
    request: MentorRequest
    mentor: MentorProfile
    score: int
    reason: str


@dataclass(frozen=True)
class CohortResult:
    assignments: list[Assignment]
    unmatched: list[MentorRequest] = field(default_factory=list)

    @property
    def total_fit(self) -> int:
        return sum(a.score for a in self.assignments)


@dataclass(frozen=True)
class FitMatrix:
    """Scores and hard rules for every mentee (rows) against every mentor (columns)."""

    scores: NDArray[np.int64]
    eligible: NDArray[np.bool_]  # the hard rules, languages and the fit floor
    free: NDArray[np.int64]  # free places per mentor
    texts: ProfileTexts  # the accepting mentors' profiles, for the goals' TF-IDF
    queries: list[GoalsQuery]  # each mentee's goals

    def candidate(self, cohort: CohortInput, i: int, j: int) -> Candidate:
        """``score_mentor`` for one pair, with the goals' fit the matrix used."""
        request, mentor = cohort.requests[i], cohort.mentors[j]
        return score_mentor(
            request,
            mentor,
            load=cohort.loads.get(mentor.user_id, 0),
            at=cohort.at,
            fit=cohort.fit,
            goals=self.texts.fit(self.queries[i], mentor.user_id),
        )


def fit_matrix(cohort: CohortInput) -> FitMatrix:
    """``score_mentor``, ``is_eligible`` and the fit floor for all pairs at once, with the
    same arithmetic."""
    requests, mentors = cohort.requests, cohort.mentors
    n, m = len(requests), len(mentors)
    loads = np.array([cohort.loads.get(p.user_id, 0) for p in mentors], dtype=np.int64)
    capacity = np.array([p.capacity for p in mentors], dtype=np.int64)

    # Focus areas: how many of each mentee's wanted areas (duplicates count) the mentor offers.
    areas: dict[str, int] = {}
    for request in requests:
        for area in request.focus_areas:
            areas.setdefault(area.casefold(), len(areas))
    wanted = np.zeros((n, max(1, len(areas))), dtype=np.int64)
    for i, request in enumerate(requests):
        for area in request.focus_areas:
            wanted[i, areas[area.casefold()]] += 1
    offered = np.zeros((m, wanted.shape[1]), dtype=np.int64)
    for j, mentor in enumerate(mentors):
        for area in mentor.expertise:
            if (k := areas.get(area.casefold())) is not None:
                offered[j, k] = 1
    shared = wanted @ offered.T
    wanted_count = wanted.sum(axis=1, keepdims=True)
    floor = (shared > 0) | (wanted_count == 0)
    focus = np.where(
        wanted_count > 0,
        FOCUS_WEIGHT * shared / np.maximum(wanted_count, 1),
        FOCUS_WEIGHT / 2,
    )

    # Working hours: the same wrap-around distance as ``working_hours_overlap``.
    mentee_offsets = np.array(
        [utc_offset_seconds(r.tz, r.tz_offset, cohort.at) for r in requests], dtype=np.float64
    )
    mentor_offsets = np.array(
        [utc_offset_seconds(p.tz, p.tz_offset, cohort.at) for p in mentors], dtype=np.float64
    )
    diff = (np.abs(mentee_offsets[:, None] - mentor_offsets[None, :]) / 3600) % 24
    diff = np.minimum(diff, 24 - diff)
    overlap = np.floor(np.maximum(0.0, WORKDAY_HOURS - diff))
    floor &= overlap > 0

    free = np.maximum(0, capacity - loads)
    capacity_part = np.where(
        capacity > 0, CAPACITY_WEIGHT * free / np.where(capacity > 0, capacity, 1), 0.0
    )

    # The goals against the profiles, one mentee at a time as ``/mentor ask`` does it.
    texts = profile_texts([p for p in mentors if p.accepting])
    queries = [texts.query(r.goals) for r in requests]
    rows = np.array([texts.row_of.get(p.user_id, -1) for p in mentors], dtype=np.int64)
    similarity = np.zeros((n, m), dtype=np.float64)
    if len(texts):
        for i, query in enumerate(queries):
            similarity[i] = np.where(rows >= 0, texts.similarities(query)[rows], 0.0)
    goals_part = GOALS_WEIGHT * np.minimum(1.0, similarity / FULL_MATCH)

    scores = np.rint(
        focus + OVERLAP_WEIGHT * overlap / WORKDAY_HOURS + capacity_part[None, :] + goals_part
    )
    eligible = _eligible(cohort, loads=loads, capacity=capacity)
    if not cohort.fit.weak_fit:
        eligible &= floor
    if not cohort.fit.any_language:
        eligible &= np.array(
            [[speak_together(r, p, cohort.fit) for p in mentors] for r in requests], dtype=bool
        ).reshape(n, m)

    return FitMatrix(
        scores=scores.astype(np.int64),
        eligible=eligible,
        free=free,
        texts=texts,
        queries=queries,
    )


def _eligible(
    cohort: CohortInput, *, loads: NDArray[np.int64], capacity: NDArray[np.int64]
) -> NDArray[np.bool_]:
    requests, mentors = cohort.requests, cohort.mentors
    rule = cohort.rule
    mentor_ok = np.array([p.accepting for p in mentors], dtype=bool) & (loads < capacity)
    eligible = np.repeat(mentor_ok[None, :], len(requests), axis=0)

    orgs: dict[str, int] = {}
    mentee_org = np.array(
        [orgs.setdefault(normalize_org(r.organization), len(orgs)) for r in requests],
        dtype=np.int64,
    )
    mentor_org = np.array(
        [orgs.setdefault(normalize_org(p.organization), len(orgs)) for p in mentors],
        dtype=np.int64,
    )
    blank = orgs.get("")
    same = mentee_org[:, None] == mentor_org[None, :]
    if blank is not None:
        same &= (mentee_org != blank)[:, None]
    wants_other = np.array([r.wants_other_org for r in requests], dtype=bool)
    if rule.required:
        wants_other[:] = True
    eligible &= ~(same & wants_other[:, None])
    rivals = np.zeros((len(orgs), len(orgs)), dtype=bool)
    for pair in rule.competitors:
        names = sorted(pair)
        a, b = (names[0], names[-1]) if names else ("", "")
        if a in orgs and b in orgs:
            rivals[orgs[a], orgs[b]] = rivals[orgs[b], orgs[a]] = True
    eligible &= ~rivals[mentee_org[:, None], mentor_org[None, :]]

    column = {p.user_id: j for j, p in enumerate(mentors)}
    for i, request in enumerate(requests):
        for user_id in cohort.excluded.get(request.id or 0, frozenset()) | {request.mentee_id}:
            if (j := column.get(user_id)) is not None:
                eligible[i, j] = False
    return eligible


def _result(cohort: CohortInput, fit: FitMatrix, pairs: list[tuple[int, int]]) -> CohortResult:
    """Scores and reasons for the chosen pairs, from ``score_mentor`` itself."""
    matched = {i for i, _ in pairs}
    assignments = []
    for i, j in sorted(pairs, key=lambda p: (cohort.requests[p[0]].created_at or cohort.at, p[0])):
        request, mentor = cohort.requests[i], cohort.mentors[j]
        candidate = fit.candidate(cohort, i, j)
        assignments.append(
            Assignment(
                request=request, mentor=mentor, score=candidate.score, reason=candidate.reason
            )
        )
    unmatched = [r for i, r in enumerate(cohort.requests) if i not in matched]
    return CohortResult(assignments=assignments, unmatched=unmatched)


def rank_for_request(
    request: MentorRequest,
    mentors: Sequence[MentorProfile],
    *,
    loads: Mapping[str, int],
    rule: CrossCompanyRule,
    excluded: frozenset[str],
    at: datetime,
    limit: int = 3,
    fit: FitRule = DEFAULT_FIT,
) -> list[Candidate]:
    """``bot.matching.rank_mentors`` for thousands of mentors: the same answer, vectorized.

    Scores and rules for every mentor come from ``fit_matrix`` in one pass; only the few
    winners are scored again by ``score_mentor``, for their reasons.
    """
    if not mentors:
        return []
    cohort = CohortInput(
        requests=[request],
        mentors=mentors,
        loads=loads,
        excluded={request.id or 0: excluded},
        rule=rule,
        at=at,
        fit=fit,
    )
    matrix = fit_matrix(cohort)
    eligible = np.flatnonzero(matrix.eligible[0])
    if not len(eligible) or limit <= 0:
        return []
    scores = matrix.scores[0, eligible]
    # Only mentors scoring at least the limit-th best can be among the winners; ties at that
    # score are then broken by user ID, as rank_mentors does.
    cutoff = np.sort(scores)[::-1][min(limit, len(scores)) - 1]
    finalists = [int(j) for j in eligible[scores >= cutoff]]
    finalists.sort(key=lambda j: (-int(matrix.scores[0, j]), mentors[j].user_id))
    return [matrix.candidate(cohort, 0, j) for j in finalists[:limit]]


def assign_cohort(cohort: CohortInput) -> CohortResult:
    """The optimal assignment: most mentees matched, then the highest total fit.

    Each mentor becomes as many columns as they have free places. Pairs that break a hard rule
    get a penalty larger than any total fit could be, so the solver uses one only where a row or
    column would otherwise stay empty, and those pairs are dropped afterwards: the count of
    dropped pairs is minimal, which is the same as the count of matched mentees being maximal.
    """
    if not cohort.requests or not cohort.mentors:
        return CohortResult(assignments=[], unmatched=list(cohort.requests))
    fit = fit_matrix(cohort)
    usable = fit.eligible.any(axis=0)
    places = np.minimum(fit.free, len(cohort.requests)) * usable
    columns = np.repeat(np.arange(len(cohort.mentors)), places)
    rows = np.flatnonzero(fit.eligible.any(axis=1))
    if not len(columns) or not len(rows):
        return CohortResult(assignments=[], unmatched=list(cohort.requests))
    penalty = 101 * (min(len(rows), len(columns)) + 1)
    weights = np.where(
        fit.eligible[np.ix_(rows, columns)],
        fit.scores[np.ix_(rows, columns)],
        -penalty,
    ).astype(np.float64)
    # scipy.optimize costs half a second to import: paid by the first cohort, not each start
    from scipy.optimize import linear_sum_assignment  # noqa: PLC0415

    chosen_rows, chosen_columns = linear_sum_assignment(weights, maximize=True)
    pairs = [
        (int(rows[r]), int(columns[c]))
        for r, c in zip(chosen_rows, chosen_columns, strict=True)
        if weights[r, c] > -penalty
    ]
    return _result(cohort, fit, pairs)


def assign_greedily(cohort: CohortInput) -> CohortResult:
    """Best pair first, as people would do it by hand: the baseline the benchmark compares to."""
    if not cohort.requests or not cohort.mentors:
        return CohortResult(assignments=[], unmatched=list(cohort.requests))
    fit = fit_matrix(cohort)
    free = fit.free.copy()
    flat = np.where(fit.eligible, fit.scores, -1).ravel()
    order = np.argsort(-flat, kind="stable")
    taken: set[int] = set()
    pairs: list[tuple[int, int]] = []
    width = len(cohort.mentors)
    for index in order:
        if flat[index] < 0:
            break
        i, j = divmod(int(index), width)
        if i in taken or free[j] <= 0:
            continue
        taken.add(i)
        free[j] -= 1
        pairs.append((i, j))
    return _result(cohort, fit, pairs)


def describe_result(result: CohortResult) -> dict[str, Any]:
    """Counts for logs and the audit trail: never anything a person wrote."""
    return {
        "matched": len(result.assignments),
        "unmatched": len(result.unmatched),
        "total_fit": result.total_fit,
    }
