"""The optimal assignment of mentees to mentors' free places, on a sparse graph.

Given each (mentee, mentor) pair's fit in one byte (``-1`` where a rule forbids the pair) and
each mentor's free places, find the assignment that matches the most mentees, then has the
highest total fit. SciPy's sparse Jonker-Volgenant solver works on each mentee's few best
pairs; node potentials then prove the answer optimal for every pair, adding the ones that
could still improve it and solving again until none can. Kept apart from ``cohort``, which
scores the pairs, so that the solver is read, and tested, on arrays alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from bot.matching.cores import each_block
from bot.matching.residual import cancel_negative_cycles, potentials

MAX_SCORE = 100  # the highest fit a pair can have (``bot.matching.scores``)
SELECT_CELLS = 1 << 20  # cells whose best are selected at once: 1 MB of one-byte costs
# Cells a pricing scan takes at once: its temporaries are 16-bit, and larger blocks call NumPy
# fewer times (10,000 x 5,000: a plan's six scans 0.50 s at 1 << 17, 0.38 s here, no faster
# beyond).
SCAN_CELLS = 1 << 19


def optimal_assignment(
    weights: NDArray[np.int8], free: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The chosen (row, column) pairs of ``weights`` (mentees x mentors) with ``free``
    places per column: most rows matched, then the highest total weight."""
    return _solve_sparse(weights, free, _Costs.of(weights.shape[0]))


CANDIDATES = 8  # mentors per mentee in the sparse solver's first graph
# Pairs per mentee that join the graph in a round, at most. Few: the solver starts from scratch
# each round and its time grows with the graph, while the rounds hardly depend on how many join
# (10,000 x 5,000: 5 rounds either way; 12 per round solves in 1.8 s CPU, 64 in 3.6 s).
ADDED = 12


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
    optimal for all pairs with node potentials (``residual.potentials``). A pair left out
    whose reduced cost is negative could improve the assignment, so each mentee's most
    negative ones join the graph and it is solved again; none left means no pair outside the
    graph can improve it. When the pairs that join could help only a few mentees, the new
    optimum is reached from the last one by cancelling the negative cycles they close
    (``residual.cancel_negative_cycles``), not solved from scratch: the last rounds of a
    large cohort change a few dozen pairs, and SciPy's solver starts over each time."""
    n = weights.shape[0]
    edges_rows, edges_columns = _cheapest(weights, free)
    edges = (edges_rows, edges_columns, costs.of_pairs(weights[edges_rows, edges_columns]))
    match = _match(n, free, costs, edges=edges)
    potential = potentials(n, free, costs.unmatched, edges=edges, match=match)
    while True:
        more_rows, more_columns = _improving(weights, costs, match=match, potential=potential)
        if not len(more_rows):
            matched = np.flatnonzero(match >= 0)
            return matched, match[matched]
        # Pairs with a negative reduced cost are never in the graph already (its unchosen
        # pairs have none, its chosen ones are skipped): the edges stay distinct.
        edges_rows = np.concatenate([edges_rows, more_rows])
        edges_columns = np.concatenate([edges_columns, more_columns])
        edges = (edges_rows, edges_columns, costs.of_pairs(weights[edges_rows, edges_columns]))
        repaired = None
        if _gaining(more_rows) <= n * REPAIRED_SHARE:
            repaired = cancel_negative_cycles(
                n, free, costs.unmatched, edges=edges, match=match, start=potential
            )
        if repaired is None:
            match = _match(n, free, costs, edges=edges, try_full=_nearly_full(match, free))
            potential = potentials(n, free, costs.unmatched, edges=edges, match=match)
        else:
            match, potential = repaired


# Mentees who could gain from a round's new pairs, as a share of the cohort, up to which the
# round repairs the last optimum rather than solving again (10,000 x 5,000: the fourth round's
# 73 mentees in 0.05 s, against 0.35 s a solve; its third round's 1,916, 19%, took longer
# than a solve, and one of 624, 6%, gave up after 0.18 s).
REPAIRED_SHARE = 0.03


def _gaining(rows: NDArray[np.int64]) -> int:
    """How many distinct mentees ``rows`` names (they come grouped by mentee)."""
    return int(np.count_nonzero(np.diff(rows, prepend=-1)))


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
    return _each_rows_lowest(rows, value, allowed, k)


def _each_rows_lowest(
    rows: NDArray[np.int64],
    value: NDArray[np.signedinteger[Any]],
    allowed: NDArray[np.bool_],
    k: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``_each_rows_best`` where every cell not allowed already has a value above all the
    allowed ones."""
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
    not leave the others' places out of reach and the first solution is nearly the best).

    Costs are ordered in one byte (``_byte_costs``: a forbidden pair costs more than any
    other), so the selection needs no masked copy, and the rows go in blocks of 1 MB; the
    same cells as 16-bit costs with the forbidden ones masked (10,000 x 5,000: the mentee
    side 0.64 -> 0.25 s CPU). Selecting by counting each score instead (a threshold per
    row and column) took 0.4 s for both sides but, with other pairs among equal scores,
    cost the solver a round more on average (6.3 against 5.3 over six orderings of the
    same cohort): the ties ``argpartition`` leaves are spread better."""
    n, m = weights.shape
    step = max(1, SELECT_CELLS // max(1, m))

    def mentees_best(start: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        block = weights[start : start + step]
        rows = np.arange(start, start + len(block), dtype=np.int64)
        return _each_rows_lowest(rows, _byte_costs(block), block >= 0, min(CANDIDATES, m))

    def mentors_best(
        group: tuple[NDArray[np.int64], int],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        columns, places = group
        block = transposed[columns]
        mentors, mentees = _each_rows_lowest(
            columns, _byte_costs(block), block >= 0, min(CANDIDATES * places, n)
        )
        return mentees, mentors

    found = each_block(mentees_best, range(0, n, step))
    transposed = _transposed(weights)
    step = max(1, SELECT_CELLS // max(1, n))
    groups: list[tuple[NDArray[np.int64], int]] = []
    for places in np.unique(free):
        group = np.flatnonzero(free == places)
        groups.extend((group[k : k + step], int(places)) for k in range(0, len(group), step))
    found += each_block(mentors_best, groups)
    rows = np.concatenate([r for r, _ in found])
    columns = np.concatenate([c for _, c in found])
    return _distinct(rows, columns, m)


TRANSPOSED_ROWS = 256  # rows turned into columns at once: a block stays in cache


def _transposed(weights: NDArray[np.int8]) -> NDArray[np.int8]:
    """``weights.T`` as a contiguous array, made a few hundred rows at a time (a byte
    matrix transposed at once misses the cache on every write: 0.18-0.31 s against 0.06 s
    at 10,000 x 5,000, and gathering each group's columns took 0.16 s)."""
    n, m = weights.shape
    out = np.empty((m, n), dtype=np.int8)

    def turn(start: int) -> None:
        out[:, start : start + TRANSPOSED_ROWS] = weights[start : start + TRANSPOSED_ROWS].T

    each_block(turn, range(0, n, TRANSPOSED_ROWS))
    return out


def _distinct(
    rows: NDArray[np.int64], columns: NDArray[np.int64], width: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each (row, column) pair once (a sort: NumPy's hashing ``unique`` is slower here)."""
    keys = np.sort(rows * width + columns)
    keys = keys[np.diff(keys, prepend=-1) != 0]
    return keys // width, keys % width


def _byte_costs(weights: NDArray[np.int8]) -> NDArray[np.int8]:
    """``_Costs.of_pairs`` in one byte, for ordering pairs: 1 to 101, and 102 for a
    forbidden pair (``-1``), above every allowed one."""
    return np.subtract(MAX_SCORE + 1, weights, dtype=np.int8)


def _match(
    n: int,
    free: NDArray[np.int64],
    costs: _Costs,
    *,
    edges: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
    try_full: bool = True,
) -> NDArray[np.int64]:
    """The cheapest assignment on the graph's edges: each mentee's mentor, or -1.

    ``try_full``: look for a full matching first (every mentee placed, or every place
    taken), the faster problem where one exists (10,000 x 5,000: 0.34 s against 0.39-0.53
    with the unmatched places). SciPy tells that there is none only after a Hopcroft-Karp
    pass, 20 ms, so ``_nearly_full`` decides when to try."""
    edges_rows, edges_columns, edge_costs = edges
    first_place = np.concatenate([[0], np.cumsum(free)])
    places = int(first_place[-1])
    repeat = free[edges_columns]
    rows = np.repeat(edges_rows, repeat)
    offset = np.arange(len(rows), dtype=np.int64) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    columns = np.repeat(first_place[edges_columns], repeat) + offset
    weights = np.repeat(edge_costs, repeat).astype(np.float64)
    full = try_full
    if try_full:
        try:
            # Where the graph can match everyone it can (every mentee, or every place), the
            # cheapest such matching is the optimum, found without the unmatched places below.
            matched_rows, matched_columns = min_weight_full_bipartite_matching(
                csr_matrix((weights, (rows, columns)), shape=(n, places))
            )
        except ValueError:
            full = False
    if not full:
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


# A round tries a full matching first when the last one left at most this share of the
# mentees (or places) unplaced: 10,000 x 5,000 leaves 10% after its first round, whose second
# then finds no full matching either, and 4% after its second, whose third does.
NEARLY_FULL = 0.05


def _nearly_full(match: NDArray[np.int64], free: NDArray[np.int64]) -> bool:
    placed = int(np.count_nonzero(match >= 0))
    return placed >= (1 - NEARLY_FULL) * min(len(match), int(free.sum()))


def _improving(
    weights: NDArray[np.int8],
    costs: _Costs,
    *,
    match: NDArray[np.int64],
    potential: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Eligible pairs outside the graph with a negative reduced cost (none: optimal), each
    mentee's most negative few.

    A pair's reduced cost ``MAX_SCORE + 1 - w + d[mentee] - d[mentor]`` is negative where
    ``w + (d[mentor] - low)`` exceeds ``MAX_SCORE + 1 + d[mentee] - low``: one addition and
    one comparison a cell, in 16 bits once everyone who can be is matched (the potentials
    then span a few hundred), in 32 bits while the unmatched cost still shows in them.
    At 10,000 x 5,000 a scan took 0.14 s in 32 bits with three arithmetic passes."""
    n, m = weights.shape
    low = int(potential[: n + m].min())
    span = int(potential[: n + m].max()) - low + 2 * MAX_SCORE + 4
    narrow: type[np.signedinteger[Any]] = np.int16 if span < 2**15 - 1 else np.int32
    if span >= 2**31 - 1:
        narrow = np.int64
    row_part = (MAX_SCORE + 1 + potential[:n] - low).astype(narrow)
    column_part = (potential[n : n + m] - low).astype(narrow)
    step = max(1, SCAN_CELLS // max(1, m))

    def scan(start: int) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
        block = weights[start : start + step]
        rows = np.arange(start, start + len(block), dtype=np.int64)
        raised = np.add(block, column_part, dtype=narrow)
        bad = raised > row_part[rows, None]
        bad &= block >= 0
        placed = np.flatnonzero(match[rows] >= 0)
        bad[placed, match[rows][placed]] = False
        some = np.flatnonzero(bad.any(axis=1))
        if not len(some):
            return None
        reduced = row_part[rows[some], None] - raised[some]
        return _each_rows_best(rows[some], reduced, bad[some], k=ADDED)

    found = [f for f in each_block(scan, range(0, n, step)) if f is not None]
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate([r for r, _ in found]), np.concatenate([c for _, c in found])
