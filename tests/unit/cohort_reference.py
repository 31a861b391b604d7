"""The cohort planner as it was before it was made fast (issue 19): a whole float64 matrix per
score part, ``speak_together`` per pair, one dense ``linear_sum_assignment`` over every free
place. Kept only for tests to compare the fast planner's optimum with (it is slow but was
optimal: the brute-force test pinned it)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from bot.matching.cohort import CohortInput
from bot.matching.scores import (
    CAPACITY_WEIGHT,
    FOCUS_WEIGHT,
    GOALS_WEIGHT,
    OVERLAP_WEIGHT,
    WORKDAY_HOURS,
    profile_texts,
    speak_together,
    utc_offset_seconds,
)
from bot.matching.text import FULL_MATCH
from bot.model.rules import normalize_org


def fit_matrix(
    cohort: CohortInput,
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    """Scores, eligibility and free places, as the old planner computed them."""
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

    return scores.astype(np.int64), eligible, free


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


def best(cohort: CohortInput) -> tuple[int, int]:
    """(mentees matched, total fit) of the old planner's optimal assignment."""
    if not cohort.requests or not cohort.mentors:
        return (0, 0)
    scores, eligible, free = fit_matrix(cohort)
    usable = eligible.any(axis=0)
    places = np.minimum(free, len(cohort.requests)) * usable
    columns = np.repeat(np.arange(len(cohort.mentors)), places)
    rows = np.flatnonzero(eligible.any(axis=1))
    if not len(columns) or not len(rows):
        return (0, 0)
    penalty = 101 * (min(len(rows), len(columns)) + 1)
    weights = np.where(
        eligible[np.ix_(rows, columns)], scores[np.ix_(rows, columns)], -penalty
    ).astype(np.float64)
    chosen_rows, chosen_columns = linear_sum_assignment(weights, maximize=True)
    kept = weights[chosen_rows, chosen_columns] > -penalty
    return int(kept.sum()), int(weights[chosen_rows, chosen_columns][kept].sum())
