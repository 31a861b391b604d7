"""Cohort matching: the best assignment of a whole waitlist to the mentors' free places at once.

Suggesting three mentors to one mentee (``bot.matching``) is greedy by nature: the first mentee
takes the best mentor whether or not the next one needed them more. For a cohort, coordinators
want the assignment that is best for everyone together, so this solves it as an assignment
problem: one row per mentee, one column per free place of a mentor.

What "best" means, in order: as many mentees matched as the hard rules allow, then the highest
total fit among those assignments. Scores are the very ones ``/mentor ask`` shows
(``score_mentor``), computed block by block with NumPy from per-mentee and per-mentor columns
and small tables, and kept in one byte per pair; mentors without a free place and mentees
nobody may take are set aside first. The assignment is solved on a sparse graph of likely
pairs with SciPy's sparse Jonker-Volgenant, grown until node potentials prove that no pair
left out could improve it (a dense matrix of every place would be 800 MB at 10,000 mentees x
5,000 mentors, and ``scipy.optimize`` alone takes longer to import than a 2,000-mentee
cohort takes to solve). ``tests/unit/test_matching_cohort.py`` pins the scores to
``score_mentor`` and the solver to brute force and to the dense planner that came before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

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
from bot.matching.text import FULL_MATCH, GoalsQuery
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


BLOCK_CELLS = 1 << 17  # cells at once: 1 MB float64 temporaries stay in cache (3x faster than 4)
INELIGIBLE = -1  # in the int8 weights: a pair the hard rules or the fit floor forbid
MAX_SCORE = 100


class _Pairs:
    """What ``score_mentor`` and ``is_eligible`` read, as one column per mentee and per mentor
    plus small tables (zones x zones, organizations x organizations, language sets x language
    sets), so that any block of mentees is scored against every mentor with NumPy alone and
    no mentee x mentor matrix but the block's ever exists in float64.

    ``columns``: the mentors (indices into ``cohort.mentors``) to score; the goals are still
    weighed against every accepting mentor's profile, as ``/mentor ask`` weighs them."""

    def __init__(self, cohort: CohortInput, columns: NDArray[np.int64]) -> None:
        self.cohort = cohort
        self.columns = columns
        requests = cohort.requests
        mentors = [cohort.mentors[int(j)] for j in columns]
        self.mentors = mentors
        n, m = len(requests), len(mentors)
        loads = np.array([cohort.loads.get(p.user_id, 0) for p in mentors], dtype=np.int64)
        capacity = np.array([p.capacity for p in mentors], dtype=np.int64)
        self.free = np.maximum(0, capacity - loads)
        self.capacity_part = np.where(
            capacity > 0, CAPACITY_WEIGHT * self.free / np.where(capacity > 0, capacity, 1), 0.0
        )
        self.mentor_ok = np.array([p.accepting for p in mentors], dtype=bool) & (loads < capacity)

        # Focus areas: how many of each mentee's wanted areas (duplicates count) the mentor
        # offers, as a product of two small count matrices (exact in float64).
        areas: dict[str, int] = {}
        wanted_cells = [
            (i, areas.setdefault(area.casefold(), len(areas)))
            for i, request in enumerate(requests)
            for area in request.focus_areas
        ]
        self.wanted = np.zeros((n, max(1, len(areas))), dtype=np.float64)
        if wanted_cells:
            np.add.at(self.wanted, tuple(np.array(wanted_cells, dtype=np.int64).T), 1.0)
        self.wanted_count = self.wanted.sum(axis=1)
        offered_cells = [
            (k, j)
            for j, mentor in enumerate(mentors)
            for area in mentor.expertise
            if (k := areas.get(area.casefold())) is not None
        ]
        self.offered = np.zeros((self.wanted.shape[1], m), dtype=np.float64)
        if offered_cells:
            self.offered[tuple(np.array(offered_cells, dtype=np.int64).T)] = 1.0

        # Working hours: the same wrap-around distance as ``working_hours_overlap``, once per
        # pair of distinct offsets.
        at = cohort.at
        zones: dict[tuple[str, int], int] = {}
        self.mentee_zone = np.array(
            [zones.setdefault((r.tz, r.tz_offset), len(zones)) for r in requests], dtype=np.int64
        )
        self.mentor_zone = np.array(
            [zones.setdefault((p.tz, p.tz_offset), len(zones)) for p in mentors], dtype=np.int64
        )
        offsets = np.array(
            [utc_offset_seconds(tz, fallback, at) for tz, fallback in zones], dtype=np.float64
        )
        diff = (np.abs(offsets[:, None] - offsets[None, :]) / 3600) % 24
        diff = np.minimum(diff, 24 - diff)
        overlap = np.floor(np.maximum(0.0, WORKDAY_HOURS - diff))
        self.overlap_part = OVERLAP_WEIGHT * overlap / WORKDAY_HOURS
        self.overlap_any = overlap > 0

        # Organizations: ``CrossCompanyRule.allows`` once per pair of organizations.
        orgs: dict[str, int] = {}
        self.mentee_org = np.array(
            [orgs.setdefault(normalize_org(r.organization), len(orgs)) for r in requests],
            dtype=np.int64,
        )
        self.mentor_org = np.array(
            [orgs.setdefault(normalize_org(p.organization), len(orgs)) for p in mentors],
            dtype=np.int64,
        )
        names = list(orgs)
        self.org_allowed = np.array(
            [
                [[cohort.rule.allows(a, b, mentee_wants_other=w) for b in names] for a in names]
                for w in (False, True)
            ],
            dtype=bool,
        ).reshape(2, len(names), len(names))
        self.wants_other = np.array([r.wants_other_org for r in requests], dtype=np.int64)

        # Languages: ``speak_together`` once per pair of distinct language lists (it reads
        # nothing else), with the first mentee and mentor of each list.
        self.mentee_tongues: NDArray[np.int64] | None = None
        self.mentor_tongues = np.zeros(m, dtype=np.int64)
        if not cohort.fit.any_language:
            asking: dict[tuple[str, ...], MentorRequest] = {}
            speaking: dict[tuple[str, ...], MentorProfile] = {}
            for request in requests:
                asking.setdefault(tuple(request.languages), request)
            for mentor in mentors:
                speaking.setdefault(tuple(mentor.languages), mentor)
            asked = {key: k for k, key in enumerate(asking)}
            spoken = {key: k for k, key in enumerate(speaking)}
            self.mentee_tongues = np.array(
                [asked[tuple(r.languages)] for r in requests], dtype=np.int64
            )
            self.mentor_tongues = np.array(
                [spoken[tuple(p.languages)] for p in mentors], dtype=np.int64
            )
            self.speak = np.array(
                [
                    [speak_together(r, p, cohort.fit) for p in speaking.values()]
                    for r in asking.values()
                ],
                dtype=bool,
            ).reshape(len(asking), len(speaking))

        # The goals against the profiles: one TF-IDF query per distinct goals text.
        self.texts = profile_texts([p for p in cohort.mentors if p.accepting])
        goals: dict[str, int] = {}
        self.mentee_goals = np.array(
            [goals.setdefault(r.goals, len(goals)) for r in requests], dtype=np.int64
        )
        self.queries = [self.texts.query(text) for text in goals]
        self.text_rows = np.array(
            [self.texts.row_of.get(p.user_id, -1) for p in mentors], dtype=np.int64
        )

        # Mentors a mentee may never meet again (and themselves): a few cells, set last.
        column_of = {p.user_id: k for k, p in enumerate(mentors)}
        excluded = [
            (i, k)
            for i, request in enumerate(requests)
            for user_id in cohort.excluded.get(request.id or 0, frozenset()) | {request.mentee_id}
            if (k := column_of.get(user_id)) is not None
        ]
        self.excluded = np.array(excluded, dtype=np.int64).reshape(-1, 2)

    def query(self, i: int) -> GoalsQuery:
        return self.queries[int(self.mentee_goals[i])]

    def block(self, start: int, stop: int) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Mentees ``start:stop`` against every mentor: ``score_mentor``'s score with the
        same float arithmetic in the same order (so the same halves round the same way), and
        the hard rules with the fit floor. Sums are made in place, tables are indexed one
        axis at a time: the block's few arrays are all the memory it takes."""
        rows = slice(start, stop)
        count = self.wanted_count[rows, None]
        shared = self.wanted[rows] @ self.offered
        scores = np.multiply(shared, FOCUS_WEIGHT)
        scores /= np.maximum(count, 1)
        scores[count[:, 0] == 0] = FOCUS_WEIGHT / 2
        zones = self.mentee_zone[rows]
        scores += self.overlap_part[zones][:, self.mentor_zone]
        scores += self.capacity_part
        self._add_goals(scores, start, stop)
        np.rint(scores, out=scores)
        eligible = self.org_allowed[self.wants_other[rows], self.mentee_org[rows]][
            :, self.mentor_org
        ]
        eligible &= self.mentor_ok
        if self.mentee_tongues is not None:
            eligible &= self.speak[self.mentee_tongues[rows]][:, self.mentor_tongues]
        if not self.cohort.fit.weak_fit:
            eligible &= (shared > 0) | (count == 0)
            eligible &= self.overlap_any[zones][:, self.mentor_zone]
        inside = (self.excluded[:, 0] >= start) & (self.excluded[:, 0] < stop)
        eligible[self.excluded[inside, 0] - start, self.excluded[inside, 1]] = False
        return scores, eligible

    def _add_goals(self, scores: NDArray[np.float64], start: int, stop: int) -> None:
        """``goals_points`` added to the block: the profiles times each distinct query at
        once (the CSR product adds each row's terms in the order ``ProfileTexts.fit`` does),
        the points worked out once per distinct query."""
        if not len(self.texts) or not len(self.text_rows):
            return
        distinct, inverse = np.unique(self.mentee_goals[start:stop], return_inverse=True)
        vectors = np.stack([self.queries[int(k)].vector for k in distinct], axis=1)
        found = np.asarray(self.texts.matrix @ vectors)  # profiles x distinct goals
        similarity = np.where(
            self.text_rows[:, None] >= 0, found[np.maximum(self.text_rows, 0)], 0.0
        ).T
        points = GOALS_WEIGHT * np.minimum(1.0, similarity / FULL_MATCH)
        if len(distinct) == 1:
            scores += points[0]
        else:
            scores += points[inverse.ravel()]

    def rows(self) -> Iterator[tuple[int, int]]:
        """Blocks of mentees small enough to score at once."""
        n, step = len(self.cohort.requests), max(1, BLOCK_CELLS // max(1, len(self.columns)))
        for start in range(0, n, step):
            yield start, min(n, start + step)

    def weights(self) -> NDArray[np.int8]:
        """Every pair's score in one byte, ``INELIGIBLE`` where it may not be made."""
        out = np.empty((len(self.cohort.requests), len(self.columns)), dtype=np.int8)
        for start, stop in self.rows():
            scores, eligible = self.block(start, stop)
            out[start:stop] = np.where(eligible, scores, INELIGIBLE)
        return out


@dataclass(frozen=True)
class FitMatrix:
    """Scores and hard rules for every mentee (rows) against every mentor (columns)."""

    scores: NDArray[np.int64]
    eligible: NDArray[np.bool_]  # the hard rules, languages and the fit floor
    free: NDArray[np.int64]  # free places per mentor
    pairs: _Pairs

    def candidate(self, cohort: CohortInput, i: int, j: int) -> Candidate:
        """``score_mentor`` for one pair, with the goals' fit the matrix used."""
        return _candidate(cohort, self.pairs, i, j)


def fit_matrix(cohort: CohortInput) -> FitMatrix:
    """``score_mentor``, ``is_eligible`` and the fit floor for all pairs at once, with the
    same arithmetic (whole matrices: for one mentee's ranking and for tests)."""
    pairs = _Pairs(cohort, np.arange(len(cohort.mentors), dtype=np.int64))
    n, m = len(cohort.requests), len(cohort.mentors)
    scores = np.zeros((n, m), dtype=np.int64)
    eligible = np.zeros((n, m), dtype=bool)
    for start, stop in pairs.rows():
        scores[start:stop], eligible[start:stop] = pairs.block(start, stop)
    return FitMatrix(scores=scores, eligible=eligible, free=pairs.free, pairs=pairs)


def _candidate(cohort: CohortInput, pairs: _Pairs, i: int, j: int) -> Candidate:
    """``score_mentor`` for mentee ``i`` and mentor ``j`` (an index into ``cohort.mentors``)."""
    request, mentor = cohort.requests[i], cohort.mentors[j]
    return score_mentor(
        request,
        mentor,
        load=cohort.loads.get(mentor.user_id, 0),
        at=cohort.at,
        fit=cohort.fit,
        goals=pairs.texts.fit(pairs.query(i), mentor.user_id),
    )


def _result(cohort: CohortInput, pairs: _Pairs, chosen: list[tuple[int, int]]) -> CohortResult:
    """Scores and reasons for the chosen pairs (mentee, mentor index), from ``score_mentor``
    itself: only these pairs are scored one by one."""
    matched = {i for i, _ in chosen}
    assignments = []
    for i, j in sorted(chosen, key=lambda p: (cohort.requests[p[0]].created_at or cohort.at, p[0])):
        candidate = _candidate(cohort, pairs, i, j)
        assignments.append(
            Assignment(
                request=cohort.requests[i],
                mentor=cohort.mentors[j],
                score=candidate.score,
                reason=candidate.reason,
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


CANDIDATES = 8  # mentors per mentee in the sparse solver's first graph
ADDED = 64  # pairs per mentee that join the graph in a round, at most (fewer rounds)


@dataclass(frozen=True)
class _Costs:
    """Integer costs to minimize, such that the cheapest assignment matches the most mentees,
    then has the highest total fit: a pair costs ``MAX_SCORE + 1 - score`` (never 0: the
    sparse solver reads 0 as no edge) and leaving a mentee unmatched costs more than any
    set of pairs could.

    No tie-break is added: scores are small integers and ties abound, and the solvers are
    fastest with them (a fixed pseudo-random jitter below one point of fit made SciPy's
    ``linear_sum_assignment`` 2x slower at 2,000 x 1,000 and 100x slower at 10,000 x 5,000,
    and the sparse solver 2-5x slower: every mentee then has one best place, so augmenting
    paths grow long)."""

    unmatched: int

    @classmethod
    def of(cls, mentees: int) -> _Costs:
        return cls(unmatched=(MAX_SCORE + 2) * (mentees + 1))

    @staticmethod
    def of_pairs(weights: NDArray[np.int8]) -> NDArray[np.int64]:
        """Costs of ``weights`` (meaningful for eligible cells only)."""
        return MAX_SCORE + 1 - weights.astype(np.int64)


def _solve_sparse(
    weights: NDArray[np.int8], free: NDArray[np.int64], costs: _Costs
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The optimum on a sparse graph: each mentee's few cheapest mentors first, solved with
    SciPy's sparse Jonker-Volgenant (``min_weight_full_bipartite_matching``), then proved
    optimal for all pairs with node potentials (shortest distances in the residual graph of
    the mentee -> mentor -> places flow). A pair left out whose reduced cost is negative
    could improve the assignment, so each mentee's most negative ones join the graph and it
    is solved again; none left means no pair outside the graph can improve it."""
    n = weights.shape[0]
    edges_rows, edges_columns = _cheapest(weights, free)
    while True:
        edge_costs = costs.of_pairs(weights[edges_rows, edges_columns])
        edges = (edges_rows, edges_columns, edge_costs)
        match = _match(n, free, costs, edges=edges)
        potential = _potentials(n, free, costs, edges=edges, match=match)
        more_rows, more_columns = _improving(weights, costs, match=match, potential=potential)
        if not len(more_rows):
            matched = np.flatnonzero(match >= 0)
            return matched, match[matched]
        # Pairs with a negative reduced cost are never in the graph already (its unchosen
        # pairs have none, its chosen ones are skipped): the edges stay distinct.
        edges_rows = np.concatenate([edges_rows, more_rows])
        edges_columns = np.concatenate([edges_columns, more_columns])


def _each_rows_best(
    rows: NDArray[np.int64],
    value: NDArray[np.signedinteger[Any]],
    allowed: NDArray[np.bool_],
    *,
    k: int | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(row, column) of up to ``k`` (``CANDIDATES``) allowed cells of lowest value in each
    row."""
    k = min(CANDIDATES if k is None else k, value.shape[1])
    value = np.where(allowed, value, np.iinfo(value.dtype).max)
    if k < value.shape[1]:
        best = np.argpartition(value, k - 1, axis=1)[:, :k]
    else:
        best = np.broadcast_to(np.arange(value.shape[1]), value.shape)
    local = np.repeat(np.arange(len(rows), dtype=np.int64), best.shape[1])
    columns = best.ravel().astype(np.int64)
    keep = allowed[local, columns]
    return rows[local[keep]], columns[keep]


def _cheapest(
    weights: NDArray[np.int8], free: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The first graph: each mentee's ``CANDIDATES`` cheapest eligible mentors, and each
    mentor's cheapest mentees, ``CANDIDATES`` per free place (so that popular mentors do
    not leave the others' places out of reach and the first solution is nearly the best)."""
    n, m = weights.shape
    found = []
    step = max(1, BLOCK_CELLS // max(1, m))
    for start in range(0, n, step):
        block = weights[start : start + step]
        rows = np.arange(start, start + len(block), dtype=np.int64)
        found.append(_each_rows_best(rows, _narrow_costs(block), block >= 0))
    step = max(1, 4 * BLOCK_CELLS // max(1, n))  # int8 and int16 cells: still 1 MB or so
    for places in np.unique(free):
        group = np.flatnonzero(free == places)
        for start in range(0, len(group), step):
            columns = group[start : start + step]
            block = np.ascontiguousarray(weights[:, columns].T)
            mentors, mentees = _each_rows_best(
                columns, _narrow_costs(block), block >= 0, k=CANDIDATES * int(places)
            )
            found.append((mentees, mentors))
    rows = np.concatenate([r for r, _ in found])
    columns = np.concatenate([c for _, c in found])
    return _distinct(rows, columns, m)


def _distinct(
    rows: NDArray[np.int64], columns: NDArray[np.int64], width: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each (row, column) pair once (a sort: NumPy's hashing ``unique`` is slower here)."""
    keys = np.sort(rows * width + columns)
    keys = keys[np.diff(keys, prepend=-1) != 0]
    return keys // width, keys % width


def _narrow_costs(weights: NDArray[np.int8]) -> NDArray[np.int16]:
    """``_Costs.of_pairs`` in 16 bits, for ordering pairs (a quarter of the bytes)."""
    return np.subtract(MAX_SCORE + 1, weights, dtype=np.int16)


def _match(
    n: int,
    free: NDArray[np.int64],
    costs: _Costs,
    *,
    edges: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
) -> NDArray[np.int64]:
    """The cheapest assignment on the graph's edges: each mentee's mentor, or -1."""
    edges_rows, edges_columns, edge_costs = edges
    first_place = np.concatenate([[0], np.cumsum(free)])
    places = int(first_place[-1])
    repeat = free[edges_columns]
    rows = np.repeat(edges_rows, repeat)
    offset = np.arange(len(rows), dtype=np.int64) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    columns = np.repeat(first_place[edges_columns], repeat) + offset
    weights = np.repeat(edge_costs, repeat).astype(np.float64)
    try:
        # Where the graph can match everyone it can (every mentee, or every place), the
        # cheapest such matching is the optimum, found without the unmatched places below.
        matched_rows, matched_columns = min_weight_full_bipartite_matching(
            csr_matrix((weights, (rows, columns)), shape=(n, places))
        )
    except ValueError:
        # Each mentee also gets a place of their own: being left unmatched, at its cost.
        matched_rows, matched_columns = min_weight_full_bipartite_matching(
            csr_matrix(
                (
                    np.concatenate([weights, np.full(n, float(costs.unmatched))]),
                    (
                        np.concatenate([rows, np.arange(n, dtype=np.int64)]),
                        np.concatenate([columns, places + np.arange(n, dtype=np.int64)]),
                    ),
                ),
                shape=(n, places + n),
            )
        )
    owner = np.repeat(np.arange(len(free), dtype=np.int64), free)
    match = np.full(n, -1, dtype=np.int64)
    real = matched_columns < places
    match[matched_rows[real]] = owner[matched_columns[real]]
    return match


def _potentials(
    n: int,
    free: NDArray[np.int64],
    costs: _Costs,
    *,
    edges: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
    match: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Shortest distances (Bellman-Ford, from every node at 0) in the residual graph of the
    flow: mentee -> mentor (pairs not chosen), mentor -> mentee (chosen, negated),
    mentee <-> "unmatched", mentor <-> sink by the places left and used, "unmatched" <-> sink.
    The assignment is optimal on these edges, so no cycle is negative and this terminates;
    every residual edge then has ``cost + d[tail] - d[head] >= 0``."""
    edges_rows, edges_columns, edge_costs = edges
    m = len(free)
    unmatched, sink = n + m, n + m + 1
    chosen = match[edges_rows] == edges_columns
    load = np.bincount(match[match >= 0], minlength=m)
    mentors = np.arange(m, dtype=np.int64)
    left = np.flatnonzero(match < 0)
    placed = np.flatnonzero(match >= 0)
    tails = [
        edges_rows[~chosen],
        n + edges_columns[chosen],
        placed,
        np.full(len(left), unmatched),
        n + mentors[load < free],
        np.full(int((load > 0).sum()), sink),
        [unmatched],
        [sink] if len(left) else [],
    ]
    heads = [
        n + edges_columns[~chosen],
        edges_rows[chosen],
        np.full(len(placed), unmatched),
        left,
        np.full(int((load < free).sum()), sink),
        n + mentors[load > 0],
        [sink],
        [unmatched] if len(left) else [],
    ]
    weights = [
        edge_costs[~chosen],
        -edge_costs[chosen],
        np.full(len(placed), costs.unmatched),
        np.full(len(left), -costs.unmatched),
        np.zeros(int((load < free).sum())),
        np.zeros(int((load > 0).sum())),
        [0],
        [0] if len(left) else [],
    ]
    tail = np.concatenate([np.asarray(t, dtype=np.int64) for t in tails])
    head = np.concatenate([np.asarray(h, dtype=np.int64) for h in heads])
    weight = np.concatenate([np.asarray(w, dtype=np.int64) for w in weights])
    order = np.argsort(head, kind="stable")
    tail, head, weight = tail[order], head[order], weight[order]
    starts = np.flatnonzero(np.diff(head, prepend=-1))
    targets = head[starts]
    distance = np.zeros(n + m + 2, dtype=np.int64)
    for _ in range(n + m + 3):
        best = np.minimum.reduceat(distance[tail] + weight, starts)
        better = best < distance[targets]
        if not better.any():
            return distance
        distance[targets[better]] = best[better]
    raise AssertionError("a negative cycle: the sparse assignment was not optimal")


def _improving(
    weights: NDArray[np.int8],
    costs: _Costs,
    *,
    match: NDArray[np.int64],
    potential: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Eligible pairs outside the graph with a negative reduced cost (none: optimal), each
    mentee's most negative few."""
    n, m = weights.shape
    found = []
    # Potentials are bounded by the unmatched cost and the scores: 32 bits hold them for any
    # cohort that fits in memory, and halve the bytes moved per cell.
    narrow = np.int32 if np.abs(potential).max() < 2**29 else np.int64
    row_potential = potential[:n].astype(narrow)
    column_potential = potential[n : n + m].astype(narrow)
    step = max(1, BLOCK_CELLS // max(1, m))
    for start in range(0, n, step):
        block = weights[start : start + step]
        rows = np.arange(start, start + len(block), dtype=np.int64)
        reduced = np.subtract(MAX_SCORE + 1, block, dtype=narrow)
        reduced += row_potential[rows, None]
        reduced -= column_potential
        bad = (reduced < 0) & (block >= 0)
        placed = np.flatnonzero(match[rows] >= 0)
        bad[placed, match[rows][placed]] = False
        some = np.flatnonzero(bad.any(axis=1))
        if len(some):
            found.append(_each_rows_best(rows[some], reduced[some], bad[some], k=ADDED))
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate([r for r, _ in found]), np.concatenate([c for _, c in found])


def assign_cohort(cohort: CohortInput) -> CohortResult:
    """The optimal assignment: most mentees matched, then the highest total fit.

    Mentors without a free place and mentees no mentor may take are set aside first; each
    remaining pair's score is kept in one byte. A mentor with several free places becomes as
    many places. The sparse graph's optimum is proved optimal for every pair
    (``_solve_sparse``, minimizing ``_Costs``).
    """
    requests, mentors = cohort.requests, cohort.mentors
    columns = np.array(
        [
            j
            for j, p in enumerate(mentors)
            if p.accepting and cohort.loads.get(p.user_id, 0) < p.capacity
        ],
        dtype=np.int64,
    )
    if not requests or not len(columns):
        return CohortResult(assignments=[], unmatched=list(requests))
    pairs = _Pairs(cohort, columns)
    weights = pairs.weights()
    allowed = weights >= 0
    rows = np.flatnonzero(allowed.any(axis=1))
    usable = np.flatnonzero(allowed.any(axis=0))
    del allowed
    if not len(rows) or not len(usable):
        return _result(cohort, pairs, [])
    if len(rows) < len(requests) or len(usable) < len(columns):
        weights = weights[np.ix_(rows, usable)]
    free = np.minimum(pairs.free[usable], len(rows))
    chosen_rows, chosen_columns = _solve_sparse(weights, free, _Costs.of(len(rows)))
    return _result(
        cohort,
        pairs,
        [
            (int(rows[r]), int(columns[usable[c]]))
            for r, c in zip(chosen_rows, chosen_columns, strict=True)
        ],
    )


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
    return _result(cohort, fit.pairs, pairs)


def describe_result(result: CohortResult) -> dict[str, Any]:
    """Counts for logs and the audit trail: never anything a person wrote."""
    return {
        "matched": len(result.assignments),
        "unmatched": len(result.unmatched),
        "total_fit": result.total_fit,
    }
