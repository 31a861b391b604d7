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

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.matching.assignment import optimal_assignment
from bot.matching.cores import each_block
from bot.matching.scores import (
    CAPACITY_WEIGHT,
    FOCUS_WEIGHT,
    GOALS_WEIGHT,
    OVERLAP_WEIGHT,
    WORKDAY_HOURS,
    profile_texts,
    speak_together,
    utc_offset_seconds,
    weigh_pairs,
)
from bot.matching.text import FULL_MATCH, GoalsFit, GoalsQuery
from bot.model.cohort import PlanStage
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


INELIGIBLE = -1  # in the int8 weights: a pair the hard rules or the fit floor forbid
BLOCK_CELLS = (
    1 << 17
)  # cells scored at once: 1 MB float64 temporaries stay in cache (3x faster than 4)
KEPT_POINTS = 1 << 22  # goals points kept between blocks, at most (32 MB of float64)
ROW_TABLE_CELLS = 1 << 22  # a table's rows against every mentor, at most (32 MB of float64)


def _rows_against(table: NDArray[Any], columns: NDArray[np.int64]) -> NDArray[Any] | None:
    """Each row of a small table (zones x zones, ...) spelled out against every mentor's
    column (``table[..., columns]``), so that a block takes its mentees' rows whole: 4x faster
    than picking a block's cells one by one for float64, 20x for booleans, and the scoring
    spent a quarter of its time there. None when that would take more than
    ``ROW_TABLE_CELLS`` (a cohort of thousands of distinct organizations): the block then
    picks its cells."""
    if table.size // max(1, table.shape[-1]) * len(columns) > ROW_TABLE_CELLS:
        return None
    return np.ascontiguousarray(table[..., columns])


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
        self.overlap_rows = _rows_against(self.overlap_part, self.mentor_zone)
        self.overlap_rows_ok = None if self.overlap_rows is None else self.overlap_rows > 0

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
        # A mentor without room or not accepting counts as an organization nobody may meet
        # (the table's last column): one lookup for both rules.
        self.org_allowed = np.concatenate(
            [self.org_allowed, np.zeros((2, len(names), 1), dtype=bool)], axis=2
        )
        self.mentor_org_ok = np.where(self.mentor_ok, self.mentor_org, len(names))
        self.org_rows = _rows_against(self.org_allowed, self.mentor_org_ok)

        # Languages: ``speak_together`` once per pair of distinct language lists (it reads
        # nothing else), with the first mentee and mentor of each list.
        self.mentee_tongues: NDArray[np.int64] | None = None
        self.mentor_tongues = np.zeros(m, dtype=np.int64)
        self.speak_rows: NDArray[np.bool_] | None = None
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
            self.speak_rows = _rows_against(self.speak, self.mentor_tongues)

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
        self.points: dict[int, NDArray[np.float64]] = {}  # goals text -> each mentor's points
        self.points_lock = threading.Lock()

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
        axis at a time: the block's few arrays are all the memory it takes. The rules reuse
        what the score computed (the overlap's hours, the shared areas) rather than looking
        their tables up again (10,000 x 5,000: 0.74 -> 0.5 s CPU with ``weights``)."""
        rows = slice(start, stop)
        count = self.wanted_count[rows]
        shared = self.wanted[rows] @ self.offered
        scores = np.multiply(shared, FOCUS_WEIGHT)
        scores /= np.maximum(count, 1)[:, None]
        none_wanted = count == 0
        scores[none_wanted] = FOCUS_WEIGHT / 2
        if self.overlap_rows is not None:
            overlap = self.overlap_rows[self.mentee_zone[rows]]
        else:
            overlap = self.overlap_part[self.mentee_zone[rows]][:, self.mentor_zone]
        scores += overlap
        scores += self.capacity_part
        self._add_goals(scores, start, stop)
        np.rint(scores, out=scores)
        if self.org_rows is not None:
            eligible = self.org_rows[self.wants_other[rows], self.mentee_org[rows]]
        else:
            eligible = self.org_allowed[self.wants_other[rows], self.mentee_org[rows]][
                :, self.mentor_org_ok
            ]
        if self.mentee_tongues is not None:
            if self.speak_rows is not None:
                eligible &= self.speak_rows[self.mentee_tongues[rows]]
            else:
                eligible &= self.speak[self.mentee_tongues[rows]][:, self.mentor_tongues]
        if not self.cohort.fit.weak_fit:
            shared[none_wanted] = 1.0  # who wants no area in particular shares one with all
            eligible &= shared > 0
            # A working hour in common: overlap points above 0.
            if self.overlap_rows_ok is not None:
                eligible &= self.overlap_rows_ok[self.mentee_zone[rows]]
            else:
                eligible &= overlap > 0
        inside = (self.excluded[:, 0] >= start) & (self.excluded[:, 0] < stop)
        eligible[self.excluded[inside, 0] - start, self.excluded[inside, 1]] = False
        return scores, eligible

    def _add_goals(self, scores: NDArray[np.float64], start: int, stop: int) -> None:
        """``goals_points`` added to the block: the profiles times each distinct query at
        once (the CSR product adds each row's terms in the order ``ProfileTexts.fit`` does),
        the points worked out once per distinct query and kept for the next blocks while
        they take little room (a cohort whose mentees share a few goals texts, as invited
        cohorts often do, had them worked out again in each of 385 blocks)."""
        if not len(self.texts) or not len(self.text_rows):
            return
        distinct, inverse = np.unique(self.mentee_goals[start:stop], return_inverse=True)
        wanted = [int(k) for k in distinct]
        with self.points_lock:  # blocks are scored on several threads (``each_block``)
            known = {k: self.points[k] for k in wanted if k in self.points}
        missing = [k for k in wanted if k not in known]
        if missing:
            vectors = np.stack([self.queries[k].vector for k in missing], axis=1)
            found = np.asarray(self.texts.matrix @ vectors)  # profiles x distinct goals
            similarity = np.where(
                self.text_rows[:, None] >= 0, found[np.maximum(self.text_rows, 0)], 0.0
            ).T
            fresh = GOALS_WEIGHT * np.minimum(1.0, similarity / FULL_MATCH)
            known.update(zip(missing, fresh, strict=True))
            with self.points_lock:
                if (len(self.points) + len(missing)) * len(self.text_rows) > KEPT_POINTS:
                    self.points.clear()
                self.points.update(zip(missing, fresh, strict=True))
        if len(wanted) == 1:
            scores += known[wanted[0]]
        else:
            scores += np.stack([known[k] for k in wanted])[inverse.ravel()]

    def rows(self) -> Iterator[tuple[int, int]]:
        """Blocks of mentees small enough to score at once."""
        n, step = len(self.cohort.requests), max(1, BLOCK_CELLS // max(1, len(self.columns)))
        for start in range(0, n, step):
            yield start, min(n, start + step)

    def weights_and_reach(
        self,
    ) -> tuple[NDArray[np.int8], NDArray[np.bool_], NDArray[np.bool_]]:
        """Every pair's score in one byte (``INELIGIBLE`` where it may not be made), with
        which mentees and which mentors have any pair allowed at all, noted while each block
        is at hand (another pass over the whole byte matrix, with a boolean copy of it, cost
        25-115 ms at 10,000 x 5,000)."""
        n = len(self.cohort.requests)
        out = np.empty((n, len(self.columns)), dtype=np.int8)
        rows_reached = np.zeros(n, dtype=bool)

        def fill(span: tuple[int, int]) -> NDArray[np.bool_]:
            start, stop = span
            scores, eligible = self.block(start, stop)
            # Cast once into the byte matrix, then mark the forbidden pairs in one-byte
            # arithmetic: ``(score + 1) * eligible - 1`` is the score, or -1 (scores are
            # 0 to 100, so score + 1 fits a byte). NumPy's masked fill of a scalar
            # (``np.copyto(..., where=)``) took 0.46 ms a block, 14x this, and half the
            # scoring's time; ``np.where`` made a float64 block first.
            block = out[start:stop]
            block[...] = scores
            block += 1
            np.multiply(block, eligible, out=block)
            block -= 1
            rows_reached[start:stop] = eligible.any(axis=1)
            return np.asarray(eligible.any(axis=0), dtype=bool)

        reached = each_block(fill, self.rows())
        columns_reached = np.logical_or.reduce(reached) if reached else np.zeros(0, dtype=bool)
        return out, rows_reached, np.asarray(columns_reached, dtype=bool)


def _result(cohort: CohortInput, pairs: _Pairs, chosen: list[tuple[int, int]]) -> CohortResult:
    """Scores and reasons for the chosen pairs (mentee, mentor index), as ``score_mentor``
    gives them: the goals' fits of all the pairs at once (``ProfileTexts.fits``), each
    mentor's terms once (``weigh_pairs``). Only these pairs are explained."""
    matched = {i for i, _ in chosen}
    order = sorted(chosen, key=lambda p: (cohort.requests[p[0]].created_at or cohort.at, p[0]))
    # The goals count in the score, but their words stay out of the reason: a plan's reasons
    # are read by coordinators (in a shared program the host's, about other companies'
    # mentees, to whom a program shares "never goals") and kept in the plan. The mentor asked
    # on approval gets ``score_mentor``'s own reason, words and all.
    goals = [
        GoalsFit(fitted.similarity)
        for fitted in pairs.texts.fits(
            pairs.queries,
            [(int(pairs.mentee_goals[i]), cohort.mentors[j].user_id) for i, j in order],
        )
    ]
    weighed = weigh_pairs(
        cohort.requests,
        cohort.mentors,
        order,
        loads=cohort.loads,
        at=cohort.at,
        fit=cohort.fit,
        goals=goals,
    )
    assignments = [
        Assignment(
            request=cohort.requests[i], mentor=cohort.mentors[j], score=w.score, reason=w.reason
        )
        for (i, j), w in zip(order, weighed, strict=True)
    ]
    unmatched = [r for i, r in enumerate(cohort.requests) if i not in matched]
    return CohortResult(assignments=assignments, unmatched=unmatched)


Stages = Callable[[PlanStage], None]
"""Told each step as it starts (``PlanStage``): a few calls per cohort, between steps."""


def _no_stages(stage: PlanStage) -> None:
    return None


def assign_cohort(cohort: CohortInput, stages: Stages = _no_stages) -> CohortResult:
    """The optimal assignment: most mentees matched, then the highest total fit.

    Mentors without a free place and mentees no mentor may take are set aside first; each
    remaining pair's score is kept in one byte. A mentor with several free places becomes as
    many places. The sparse graph's optimum is proved optimal for every pair
    (``bot.matching.assignment``). ``stages`` hears when scoring, solving and explaining
    start (only those that happen: nobody to place, nothing to solve).
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
    stages(PlanStage.SCORING)
    pairs = _Pairs(cohort, columns)
    weights, rows_reached, columns_reached = pairs.weights_and_reach()
    rows = np.flatnonzero(rows_reached)
    usable = np.flatnonzero(columns_reached)
    if not len(rows) or not len(usable):
        return _result(cohort, pairs, [])
    if len(rows) < len(requests) or len(usable) < len(columns):
        weights = weights[np.ix_(rows, usable)]
    free = np.minimum(pairs.free[usable], len(rows))
    stages(PlanStage.SOLVING)
    chosen_rows, chosen_columns = optimal_assignment(weights, free)
    stages(PlanStage.EXPLAINING)
    return _result(
        cohort,
        pairs,
        [
            (int(rows[r]), int(columns[usable[c]]))
            for r, c in zip(chosen_rows, chosen_columns, strict=True)
        ],
    )


def describe_result(result: CohortResult) -> dict[str, Any]:
    """Counts for logs and the audit trail: never anything a person wrote."""
    return {
        "matched": len(result.assignments),
        "unmatched": len(result.unmatched),
        "total_fit": result.total_fit,
    }
