"""Every pair's fit as whole matrices: ``score_mentor``, ``is_eligible`` and the fit floor for
all of a cohort's pairs at once, with the planner's own arithmetic (``cohort._Pairs``).

The planner itself keeps one byte per pair and never builds these; they serve what reads a
whole matrix: one mentee's ranking against thousands of mentors (``rank_for_request``, the
vectorized ``rank_mentors``), the by-hand baseline the benchmark compares the optimum with
(``assign_greedily``), and the tests that pin the planner's scores to ``score_mentor``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from bot.matching.cohort import CohortInput, CohortResult, _Pairs, _result
from bot.matching.scores import Candidate, score_mentor
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import DEFAULT_FIT, CrossCompanyRule, FitRule


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
